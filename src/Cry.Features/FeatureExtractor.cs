using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Cry.Audio;
using Cry.Audio.Dsp;
using Cry.Features.Functionals;
using Cry.Features.Imaging;
using Cry.Features.Specs;
using Cry.Features.Spectral;

namespace Cry.Features;

/// <summary>Turns audio into the features of a <see cref="FeatureSpec"/>: mel, dB, MFCC, the 1-D series or the image tensor.</summary>
/// <remarks>
/// The one code path used by training, evaluation and inference, so a clip gives the same tensor everywhere.
/// Audio → (resample to the spec's rate, first durationSeconds zero-padded) → mel power spectrogram → dB (reference 1
/// for the MFCC path, the spec's dbRef for the db stage) → MFCC → mean over coefficients → one size × size image per
/// channel, stacked channel-major (C × H × W, single precision). Instances are immutable and thread-safe; scratch
/// memory comes from <see cref="ArrayPool{T}"/>, so <see cref="ComputeImage(ReadOnlySpan{float}, Span{float})"/>
/// allocates nothing after warm-up.
/// </remarks>
public sealed class FeatureExtractor
{
    private readonly MelSpectrogram _mel;
    private readonly Mfcc _mfcc;
    private readonly ISeriesImageTransform?[] _channels = []; // null where the channel is the mel image
    private readonly MelImage? _melImage;
    private readonly int _framesNeeded;
    private readonly Lazy<NeedFunctionals> _functionals;

    /// <summary>Plans the pipeline of a spec.</summary>
    /// <param name="spec">The spec; validated here.</param>
    /// <param name="minimumSeconds">Recordings shorter than this are refused when the spec cuts fixed-length windows.</param>
    /// <exception cref="FeatureSpecException">The spec is not valid.</exception>
    public FeatureExtractor(FeatureSpec spec, double minimumSeconds = 1.0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumSeconds);
        spec.Validate();
        Spec = spec;
        MinimumSeconds = minimumSeconds;
        _mel = new MelSpectrogram(spec.ToMelOptions());
        _mfcc = new Mfcc(spec.ToMfccOptions());
        _functionals = new Lazy<NeedFunctionals>(() => new NeedFunctionals(spec));
        if (spec.Image is { } image)
        {
            _channels = [.. image.Channels.Select(c => c == ImageChannel.Mel ? null : image.CreateTransform(c))];
            _melImage = image.Channels.Contains(ImageChannel.Mel) ? image.CreateMelImage() : null;
            _framesNeeded = _channels.Max(c => c?.MinimumSeriesLength ?? image.Size);
            ImageShape = [image.Channels.Count, image.Size, image.Size];
            if (WindowLength is { } window)
            {
                int frames = _mel.FrameCount(window);
                if (frames < _framesNeeded)
                {
                    throw new FeatureSpecException(
                        $"The spec's window gives {frames} frames, fewer than the {_framesNeeded} its image of size {image.Size} needs.");
                }
            }
        }
    }

    /// <summary>The spec.</summary>
    public FeatureSpec Spec { get; }

    /// <summary>The spec's acoustic functionals (<see cref="FeatureStage.Functionals"/>).</summary>
    public NeedFunctionals Functionals => _functionals.Value;

    /// <summary>Recordings shorter than this (in seconds) are refused when the spec has a fixed window.</summary>
    public double MinimumSeconds { get; }

    /// <summary>The window length in samples at the spec's rate, or null for the whole recording.</summary>
    public int? WindowLength => Spec.DurationSeconds is { } seconds ? (int)Math.Round(seconds * Spec.SampleRate) : null;

    /// <summary>The image tensor shape (channels, height, width); empty when the spec has no image.</summary>
    public IReadOnlyList<int> ImageShape { get; } = [];

    /// <summary>The number of STFT frames for a prepared signal of <paramref name="sampleCount"/> samples.</summary>
    public int FrameCount(int sampleCount) => _mel.FrameCount(sampleCount);

    /// <summary>Resamples to the spec's rate and cuts the spec's window (the first seconds, zero-padded when shorter).</summary>
    /// <exception cref="AudioFormatException">The recording is empty, or shorter than <see cref="MinimumSeconds"/> when the spec has a window.</exception>
    public float[] PrepareAudio(AudioSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (signal.Samples.Length == 0)
        {
            throw new AudioFormatException("The recording has no samples.");
        }

        var resampled = Resampler.Resample(signal, Spec.SampleRate);
        return Spec.DurationSeconds is { } seconds
            ? AudioWindows.FirstSeconds(resampled.Samples, resampled.SampleRate, seconds, MinimumSeconds)
            : resampled.Samples;
    }

    /// <summary>The shape of a stage's output for a prepared signal of <paramref name="sampleCount"/> samples.</summary>
    /// <exception cref="FeatureSpecException">The stage needs a part the spec leaves out.</exception>
    public int[] Shape(FeatureStage stage, int sampleCount)
    {
        Spec.RequireStage(stage);
        int frames = FrameCount(sampleCount);
        return stage switch
        {
            FeatureStage.Mel or FeatureStage.Db => [Spec.NMels, frames],
            FeatureStage.Mfcc => [_mfcc.CoefficientCount, frames],
            FeatureStage.Series => [frames],
            FeatureStage.Functionals => [Functionals.Count],
            _ => [.. ImageShape],
        };
    }

    /// <summary>Computes a stage's output for a prepared signal (already at the spec's rate and windowed).</summary>
    /// <exception cref="FeatureSpecException">The stage needs a part the spec leaves out.</exception>
    /// <exception cref="AudioFormatException">The signal is too short for one frame or for the image.</exception>
    public float[] Compute(ReadOnlySpan<float> samples, FeatureStage stage, out int[] shape)
    {
        shape = Shape(stage, samples.Length);
        int frames = CheckFrames(samples.Length, stage == FeatureStage.Image);
        var result = new float[shape.Aggregate(1, (a, b) => a * b)];
        switch (stage)
        {
            case FeatureStage.Mel:
                _mel.Transform(samples, result);
                break;
            case FeatureStage.Db:
                _mel.Transform(samples, result);
                PowerToDb.Transform(result, result, Spec.DbRef, Spec.TopDb);
                break;
            case FeatureStage.Mfcc:
                {
                    var db = MelDb(samples, frames);
                    _mfcc.Transform(db, frames, result);
                    break;
                }

            case FeatureStage.Series:
                {
                    double[] series = ArrayPool<double>.Shared.Rent(frames);
                    try
                    {
                        ComputeSeries(samples, frames, series.AsSpan(0, frames));
                        TensorPrimitives.ConvertTruncating<double, float>(series.AsSpan(0, frames), result);
                    }
                    finally
                    {
                        ArrayPool<double>.Shared.Return(series);
                    }

                    break;
                }

            case FeatureStage.Functionals:
                Functionals.Compute(samples, result);
                break;

            default:
                ComputeImage(samples, result);
                break;
        }

        return result;
    }

    /// <summary>Computes the image tensor (C × H × W) of a prepared signal into a new array.</summary>
    public float[] ComputeImage(ReadOnlySpan<float> samples)
    {
        Spec.RequireStage(FeatureStage.Image);
        var result = new float[ImageShape[0] * ImageShape[1] * ImageShape[2]];
        ComputeImage(samples, result);
        return result;
    }

    /// <summary>Computes the image tensor (C × H × W) of a prepared signal into <paramref name="destination"/>.</summary>
    /// <exception cref="FeatureSpecException">The spec has no image.</exception>
    /// <exception cref="AudioFormatException">The signal gives fewer frames than the image needs.</exception>
    public void ComputeImage(ReadOnlySpan<float> samples, Span<float> destination)
    {
        Spec.RequireStage(FeatureStage.Image);
        int size = ImageShape[1];
        int plane = size * size;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, _channels.Length * plane, nameof(destination));
        int frames = CheckFrames(samples.Length, image: true);
        bool needsSeries = Spec.Series is not null;
        bool needsMel = _melImage is not null;
        int melLength = needsMel ? Spec.NMels * frames : 0;
        float[]? melBuffer = needsMel ? ArrayPool<float>.Shared.Rent(melLength) : null;
        double[] series = ArrayPool<double>.Shared.Rent(frames);
        double[] channel = ArrayPool<double>.Shared.Rent(plane);
        try
        {
            var seriesSpan = series.AsSpan(0, frames);
            if (needsSeries)
            {
                ComputeSeries(samples, frames, seriesSpan);
            }

            var db = melBuffer is null ? Span<float>.Empty : melBuffer.AsSpan(0, melLength);
            if (needsMel)
            {
                _mel.Transform(samples, db);
                PowerToDb.Transform(db, db, DbReference.One, Spec.TopDb);
            }

            for (int c = 0; c < _channels.Length; c++)
            {
                var target = channel.AsSpan(0, plane);
                if (_channels[c] is { } transform)
                {
                    transform.Transform(seriesSpan, target);
                }
                else if (_melImage is { } mel)
                {
                    mel.Transform(db, frames, target);
                }

                // The cast's rounding to nearest ("truncating" names the range, not the rounding): the same bits as (float)x.
                TensorPrimitives.ConvertTruncating<double, float>(target, destination.Slice(c * plane, plane));
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(channel);
            ArrayPool<double>.Shared.Return(series);
            if (melBuffer is not null)
            {
                ArrayPool<float>.Shared.Return(melBuffer);
            }
        }
    }

    /// <summary>The 1-D series: mean over MFCC coefficients of each frame, computed frame-batch by frame-batch.</summary>
    /// <remarks>
    /// Works in the STFT's batched layout (no transpose): dB in place, then series = Σ_m w[m] dB[m] per batch, the same
    /// weights and summation order as <see cref="Mfcc.MeanSeries"/>. topDb clips relative to the largest value; the
    /// zero lanes past the last frame are at the floor and never the largest unless everything is.
    /// </remarks>
    private void ComputeSeries(ReadOnlySpan<float> samples, int frames, Span<double> series)
    {
        int lanes = Vector<float>.Count;
        int length = _mel.BatchedLength(samples.Length);
        float[] buffer = ArrayPool<float>.Shared.Rent(length * lanes);
        try
        {
            var values = buffer.AsSpan(0, length * lanes);
            var batched = MemoryMarshal.Cast<float, Vector<float>>(values);
            _mel.TransformBatched(samples, batched);
            PowerToDb.Transform(values, values, DbReference.One, Spec.TopDb);
            var weights = _mfcc.MeanWeights;
            int nMels = Spec.NMels;
            for (int batch = 0, first = 0; first < frames; batch++, first += lanes)
            {
                var acc = Vector<float>.Zero;
                var bands = batched.Slice(batch * nMels, nMels);
                for (int m = 0; m < nMels; m++)
                {
                    acc += bands[m] * weights[m];
                }

                int count = Math.Min(lanes, frames - first);
                for (int l = 0; l < count; l++)
                {
                    series[first + l] = acc[l];
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private float[] MelDb(ReadOnlySpan<float> samples, int frames)
    {
        var db = new float[Spec.NMels * frames];
        _mel.Transform(samples, db);
        PowerToDb.Transform(db, db, DbReference.One, Spec.TopDb);
        return db;
    }

    private int CheckFrames(int sampleCount, bool image)
    {
        if (sampleCount == 0)
        {
            throw new AudioFormatException("The recording has no samples.");
        }

        int frames = FrameCount(sampleCount);
        if (frames == 0)
        {
            throw new AudioFormatException(
                $"The recording has {sampleCount} samples, fewer than one FFT frame of {Spec.NFft} (center is false).");
        }

        if (image && _channels.Length > 0 && frames < _framesNeeded)
        {
            double seconds = (double)sampleCount / Spec.SampleRate;
            throw new AudioFormatException(
                $"The recording ({seconds:0.###} s) gives {frames} frames, fewer than the {_framesNeeded} an image of size {ImageShape[1]} needs.");
        }

        return frames;
    }
}
