using System.Numerics.Tensors;
using Cry.Features.Specs;
using Cry.Features.Spectral;

namespace Cry.Features.Functionals;

/// <summary>
/// Acoustic functionals of one recording for telling the needs apart: statistics of the MFCCs and their change, of the
/// spectrum's shape and the level, and of the voice — f0 by YIN, the voiced share, harmonics-to-noise ratio, jitter
/// and shimmer — the summary features of the infant-cry and paralinguistics literature, as one vector per clip.
/// </summary>
/// <remarks>
/// <para>Input: the spec's prepared samples (its rate, its window); trailing digital silence (the zero padding of a
/// short clip) is left out, and the statistics run over the <em>active</em> frames, within
/// <see cref="ActiveRangeDb"/> dB of the loudest, so the padding and pauses do not dominate them.</para>
/// <para>Features (<see cref="Count"/>, names in <see cref="Names"/>): for each of the spec's MFCCs (dB reference 1,
/// as the image path computes them) the mean, the standard deviation and the standard deviation of its delta (the
/// central difference between frames); the mean and sd of the spectral centroid and the 85 % roll-off (kHz, over the
/// mel bands' centre frequencies), of the spectral flatness, and of the flux (mean absolute dB change per band between
/// frames); the sd and the 90th − 10th percentile range of the frame level (dB); from YIN (cumulative mean normalised
/// difference, threshold <see cref="YinThreshold"/>, f0 from <see cref="MinF0"/> to <see cref="MaxF0"/> Hz, 32 ms
/// frames at the spec's hop): the voiced share of the active frames, the mean, sd, 10th and 90th percentile of ln f0
/// and its mean absolute change between consecutive voiced frames; the mean and sd of the harmonics-to-noise ratio
/// (dB, 10 log10((1 − d′)/d′) of YIN's aperiodicity d′ at the interpolated minimum); jitter (mean absolute change of the period between
/// consecutive voiced frames over the mean period) and shimmer (the same for the frames' peak amplitude). Jitter and
/// shimmer are frame-level (every hop), not cycle-to-cycle as in Praat: the cry's f0 is too high and too unsteady for
/// reliable cycle marking at 8 kHz.</para>
/// <para>Written here because no library in reach computes these on the product's own MFCC path (NWaves has YIN-style
/// pitch trackers but not the aperiodicity, HNR or the librosa-exact MFCCs). Cost: one mel spectrogram and one YIN
/// difference function per 32 ms frame (about 20 k multiply-adds per frame at 8 kHz). Immutable and thread-safe.</para>
/// </remarks>
public sealed class NeedFunctionals
{
    /// <summary>Frames within this many dB of the loudest are active.</summary>
    public const float ActiveRangeDb = 50f;

    /// <summary>YIN's threshold on the cumulative mean normalised difference.</summary>
    public const double YinThreshold = 0.15;

    /// <summary>The lowest f0 searched (Hz).</summary>
    public const double MinF0 = 100;

    /// <summary>The highest f0 searched (Hz).</summary>
    public const double MaxF0 = 1000;

    /// <summary>Features besides the MFCC statistics.</summary>
    private const int OtherCount = 8 + 2 + 6 + 2 + 2;

    private const double YinFrameSeconds = 0.032;
    private const float Floor = 1e-10f;

    private readonly FeatureSpec _spec;
    private readonly MelSpectrogram _mel;
    private readonly Mfcc _mfcc;
    private readonly double[] _bandKhz;
    private readonly int _minLag;
    private readonly int _maxLag;
    private readonly int _yinFrame;

    /// <summary>Plans the functionals of a spec (its rate, mel bands, MFCCs and hop).</summary>
    /// <exception cref="FeatureSpecException">The spec is not valid.</exception>
    public NeedFunctionals(FeatureSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _mel = new MelSpectrogram(spec.ToMelOptions());
        _mfcc = new Mfcc(spec.ToMfccOptions());
        double[] edges = MelScale.Frequencies(spec.NMels + 2, spec.FMin, spec.FMax, spec.Htk);
        _bandKhz = [.. edges.Skip(1).Take(spec.NMels).Select(hz => hz / 1000)];
        _minLag = Math.Max(2, (int)Math.Floor(spec.SampleRate / MaxF0));
        _maxLag = (int)Math.Ceiling(spec.SampleRate / MinF0);
        _yinFrame = Math.Max(_maxLag + 1, (int)Math.Round(YinFrameSeconds * spec.SampleRate));
        Names =
        [
            .. Enumerable.Range(0, Coefficients).Select(c => $"mfcc{c}Mean"),
            .. Enumerable.Range(0, Coefficients).Select(c => $"mfcc{c}Sd"),
            .. Enumerable.Range(0, Coefficients).Select(c => $"mfcc{c}DeltaSd"),
            "centroidMean", "centroidSd", "rolloffMean", "rolloffSd", "flatnessMean", "flatnessSd", "fluxMean", "fluxSd",
            "levelSd", "levelRange",
            "voicedShare", "logF0Mean", "logF0Sd", "logF0P10", "logF0P90", "logF0Change",
            "hnrMean", "hnrSd",
            "jitter", "shimmer",
        ];
    }

    /// <summary>MFCCs per frame (the spec's nMfcc, at most its nMels).</summary>
    public int Coefficients => _mfcc.CoefficientCount;

    /// <summary>The number of features.</summary>
    public int Count => (3 * Coefficients) + OtherCount;

    /// <summary>The features' names, in order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Computes the functionals of a prepared signal into a new array.</summary>
    public float[] Compute(ReadOnlySpan<float> samples)
    {
        var result = new float[Count];
        Compute(samples, result);
        return result;
    }

    /// <summary>Computes the functionals of a prepared signal (the spec's rate and window). Silence gives all zeros.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="Count"/>.</exception>
    public void Compute(ReadOnlySpan<float> samples, Span<float> destination)
    {
        if (destination.Length < Count)
        {
            throw new ArgumentException($"Need room for {Count} features.", nameof(destination));
        }

        destination[..Count].Clear();
        int length = samples.Length;
        while (length > 0 && samples[length - 1] == 0f)
        {
            length--;
        }

        samples = samples[..length];
        if (length < _spec.NFft || length < _yinFrame + _maxLag)
        {
            return; // Nothing (or almost nothing) but silence.
        }

        int bands = _spec.NMels;
        int frames = _mel.FrameCount(length);
        var mel = new float[bands * frames];
        _mel.Transform(samples, mel);
        var db = new float[mel.Length];
        PowerToDb.Transform(mel, db, DbReference.One, _spec.TopDb);
        var mfcc = new float[Coefficients * frames];
        _mfcc.Transform(db, frames, mfcc);

        var level = new double[frames];
        for (int t = 0; t < frames; t++)
        {
            double sum = 0;
            for (int b = 0; b < bands; b++)
            {
                sum += mel[(b * frames) + t];
            }

            level[t] = 10 * Math.Log10(Math.Max(sum, Floor));
        }

        double loudest = level.Max();
        int[] active = [.. Enumerable.Range(0, frames).Where(t => level[t] >= loudest - ActiveRangeDb)];
        int at = 0;
        Cepstral(mfcc, frames, active, destination, ref at);
        Spectral(mel, db, frames, active, destination, ref at);
        var activeLevels = active.Select(t => level[t]).Order().ToArray();
        destination[at++] = (float)StandardDeviation(activeLevels);
        destination[at++] = (float)(Percentile(activeLevels, 0.9) - Percentile(activeLevels, 0.1));
        Voice(samples, destination, ref at);
    }

    private void Cepstral(float[] mfcc, int frames, int[] active, Span<float> destination, ref int at)
    {
        int c0 = at;
        at += 3 * Coefficients;
        for (int c = 0; c < Coefficients; c++)
        {
            var row = mfcc.AsSpan(c * frames, frames);
            var values = new double[active.Length];
            var deltas = new List<double>(active.Length);
            for (int i = 0; i < active.Length; i++)
            {
                int t = active[i];
                values[i] = row[t];
                if (t > 0 && t < frames - 1)
                {
                    deltas.Add((row[t + 1] - row[t - 1]) / 2.0);
                }
            }

            destination[c0 + c] = (float)values.Average();
            destination[c0 + Coefficients + c] = (float)StandardDeviation(values);
            destination[c0 + (2 * Coefficients) + c] = (float)StandardDeviation([.. deltas]);
        }
    }

    private void Spectral(float[] mel, float[] db, int frames, int[] active, Span<float> destination, ref int at)
    {
        int bands = _spec.NMels;
        var centroid = new double[active.Length];
        var rolloff = new double[active.Length];
        var flatness = new double[active.Length];
        var flux = new List<double>(active.Length);
        for (int i = 0; i < active.Length; i++)
        {
            int t = active[i];
            double total = 0, weighted = 0, logSum = 0;
            for (int b = 0; b < bands; b++)
            {
                double p = Math.Max(mel[(b * frames) + t], Floor);
                total += p;
                weighted += p * _bandKhz[b];
                logSum += Math.Log(p);
            }

            centroid[i] = weighted / total;
            flatness[i] = Math.Exp(logSum / bands) / (total / bands);
            double cumulative = 0;
            rolloff[i] = _bandKhz[^1];
            for (int b = 0; b < bands; b++)
            {
                cumulative += Math.Max(mel[(b * frames) + t], Floor);
                if (cumulative >= 0.85 * total)
                {
                    rolloff[i] = _bandKhz[b];
                    break;
                }
            }

            if (t > 0)
            {
                double change = 0;
                for (int b = 0; b < bands; b++)
                {
                    change += Math.Abs(db[(b * frames) + t] - db[(b * frames) + t - 1]);
                }

                flux.Add(change / bands);
            }
        }

        foreach (double[] values in new[] { centroid, rolloff, flatness, [.. flux] })
        {
            destination[at++] = values.Length > 0 ? (float)values.Average() : 0f;
            destination[at++] = (float)StandardDeviation(values);
        }
    }

    private void Voice(ReadOnlySpan<float> samples, Span<float> destination, ref int at)
    {
        int hop = _spec.HopLength;
        int count = ((samples.Length - _yinFrame - _maxLag) / hop) + 1;
        var energy = new double[count];
        for (int f = 0; f < count; f++)
        {
            double sum = 0;
            foreach (float x in samples.Slice(f * hop, _yinFrame))
            {
                sum += (double)x * x;
            }

            energy[f] = 10 * Math.Log10(Math.Max(sum / _yinFrame, Floor));
        }

        double loudest = energy.Max();
        var difference = new double[_maxLag + 1];
        var periods = new List<(int Frame, double Period, double Aperiodicity, double Peak)>();
        int considered = 0;
        for (int f = 0; f < count; f++)
        {
            if (energy[f] < loudest - ActiveRangeDb)
            {
                continue;
            }

            considered++;
            var frame = samples.Slice(f * hop, _yinFrame + _maxLag);
            if (Yin(frame, difference) is { } found)
            {
                double peak = Math.Abs(TensorPrimitives.MaxMagnitude(frame[.._yinFrame]));
                periods.Add((f, found.Period, found.Aperiodicity, peak));
            }
        }

        destination[at++] = considered > 0 ? (float)periods.Count / considered : 0f;
        if (periods.Count == 0)
        {
            at += 5 + 2 + 2;
            return;
        }

        var logF0 = periods.Select(p => Math.Log(_spec.SampleRate / p.Period)).ToArray();
        var sorted = logF0.Order().ToArray();
        double periodChange = 0, peakChange = 0, logChange = 0;
        int pairs = 0;
        for (int i = 1; i < periods.Count; i++)
        {
            if (periods[i].Frame == periods[i - 1].Frame + 1)
            {
                pairs++;
                periodChange += Math.Abs(periods[i].Period - periods[i - 1].Period);
                peakChange += Math.Abs(periods[i].Peak - periods[i - 1].Peak);
                logChange += Math.Abs(logF0[i] - logF0[i - 1]);
            }
        }

        var hnr = periods.Select(p => 10 * Math.Log10((1 - p.Aperiodicity) / p.Aperiodicity)).ToArray();
        double meanPeriod = periods.Average(p => p.Period), meanPeak = periods.Average(p => p.Peak);
        destination[at++] = (float)logF0.Average();
        destination[at++] = (float)StandardDeviation(logF0);
        destination[at++] = (float)Percentile(sorted, 0.1);
        destination[at++] = (float)Percentile(sorted, 0.9);
        destination[at++] = pairs > 0 ? (float)(logChange / pairs) : 0f;
        destination[at++] = (float)hnr.Average();
        destination[at++] = (float)StandardDeviation(hnr);
        destination[at++] = pairs > 0 ? (float)(periodChange / pairs / meanPeriod) : 0f;
        destination[at++] = pairs > 0 && meanPeak > 0 ? (float)(peakChange / pairs / meanPeak) : 0f;
    }

    /// <summary>YIN on one frame (<see cref="_yinFrame"/> + <see cref="_maxLag"/> samples): the period in samples (parabolic interpolation) and d′ there, or null when unvoiced.</summary>
    private (double Period, double Aperiodicity)? Yin(ReadOnlySpan<float> frame, double[] difference)
    {
        difference[0] = 1;
        double running = 0;
        for (int lag = 1; lag <= _maxLag; lag++)
        {
            double sum = 0;
            for (int j = 0; j < _yinFrame; j++)
            {
                double d = frame[j] - frame[j + lag];
                sum += d * d;
            }

            running += sum;
            difference[lag] = running > 0 ? sum * lag / running : 1;
        }

        for (int lag = _minLag; lag < _maxLag; lag++)
        {
            if (difference[lag] < YinThreshold)
            {
                while (lag + 1 < _maxLag && difference[lag + 1] < difference[lag])
                {
                    lag++;
                }

                double left = difference[lag - 1], centre = difference[lag], right = difference[lag + 1];
                double denominator = left - (2 * centre) + right;
                double shift = denominator > 0 ? Math.Clamp(0.5 * (left - right) / denominator, -0.5, 0.5) : 0;
                double minimum = centre - (0.25 * (left - right) * shift); // the parabola's vertex: d′ between the integer lags
                return (lag + shift, Math.Clamp(minimum, 1e-3, 1 - 1e-3));
            }
        }

        return null;
    }

    private static double StandardDeviation(double[] values)
    {
        if (values.Length < 2)
        {
            return 0;
        }

        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    /// <summary>Linear-interpolated percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}
