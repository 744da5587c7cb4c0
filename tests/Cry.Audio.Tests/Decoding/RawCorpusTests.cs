using System.Buffers.Binary;
using System.Collections.Concurrent;
using Cry.Features;
using Cry.Features.Specs;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// The original phone recordings of ../shared/corpus/donateacry-raw (Android 3GP with AMR-NB, iOS CAF with IMA4), when
/// present: every one decodes whole, and the kept cries give the features of their WAV twins in ../shared/corpus/donateacry.
/// </summary>
public sealed class RawCorpusTests(RawCorpusFixture corpus) : IClassFixture<RawCorpusFixture>
{
    [Fact]
    public void Decode_EveryRawRecording_DecodesWholeAtItsRate()
    {
        Assert.SkipWhen(corpus.Raw is null, RawCorpusFixture.SkipReason);

        Assert.True(corpus.Outcomes.Count >= 600, $"expected the 678 recordings of donateacry-raw, found {corpus.Outcomes.Count}");
        var refused = corpus.Outcomes.Where(o => o.Value.Refusal is not null).Select(o => $"{o.Key}: {o.Value.Refusal}").ToList();
        Assert.True(refused.Count == 0, $"{refused.Count} recordings were refused: {string.Join("; ", refused.Take(5))}");
        foreach (var (file, outcome) in corpus.Outcomes)
        {
            Assert.Equal(file.EndsWith(".3gp", StringComparison.Ordinal) ? 8000 : 16000, outcome.SampleRate);
            Assert.InRange(outcome.Seconds, 0.004, 7.1); // One IMA4 packet (64 frames at 16 kHz) is the shortest here.
        }

        // A 3GP decodes to the duration its track header states, within one 20 ms AMR frame: FFmpeg 5.1 alone gave a
        // thirteenth of it where Android packed 13 frames a sample.
        var short3gp = corpus.Outcomes
            .Where(o => o.Value.DeclaredSeconds is { } declared && Math.Abs(o.Value.Seconds - declared) > 0.02)
            .Select(o => $"{o.Key}: {o.Value.Seconds:0.###} s of {o.Value.DeclaredSeconds:0.###} s")
            .ToList();
        Assert.True(short3gp.Count == 0, $"{short3gp.Count} 3GP recordings decode to another duration than declared: {string.Join("; ", short3gp.Take(5))}");
    }

    /// <remarks>
    /// The cleaned edition was converted by another tool: the AMR-NB files decode to within 41.7–93 dB of it (the same
    /// decoder, another build), the CAF files were resampled from 16 to 8 kHz by an unknown resampler (signal correlation
    /// 0.9923 at worst, no lag). Measured on all 290 pairs through the tsi-rgb64 preset (8 kHz, first 6.5 s):
    /// <list type="bullet">
    /// <item>prepared audio: correlation ≥ 0.99997 (3GP), ≥ 0.99231 (CAF), best lag 0 for every pair;</item>
    /// <item>MFCC (30 × 407): correlation ≥ 0.99996 (3GP), ≥ 0.99981 (CAF); median |diff| ≤ 0.136 and ≤ 0.224; max |diff|
    /// ≤ 9.3 and ≤ 3.9 (the largest where a near-silent frame's log mel swings);</item>
    /// <item>image (3 × 64 × 64, GASF/GADF/MTF): correlation ≥ 0.99726 (3GP), ≥ 0.99956 (CAF); median |diff| ≤ 0.0069;
    /// max |diff| ≤ 0.30 (the MTF's quantile bins flip for a few values).</item>
    /// </list>
    /// The bounds below keep a margin of about 3× on 1 − correlation and 2× on the differences: a recording that lost
    /// frames, doubled them or shifted (MFCC correlation 0.85–0.96 for the 14 cries that FFmpeg 5.1 cut short) fails.
    /// </remarks>
    [Fact]
    public void Features_EveryRawCry_CloseToItsCleanedWavTwin()
    {
        Assert.SkipWhen(corpus.Raw is null || corpus.Cleaned is null, RawCorpusFixture.SkipReason);
        var twins = Directory.GetFiles(corpus.Cleaned!, "*.wav", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        var cries = corpus.Outcomes.Where(o => o.Value.Signal is not null).ToList();
        Assert.True(cries.Count >= 280, $"expected the 290 kept cries, found {cries.Count}");

        var far = new ConcurrentBag<string>();
        Parallel.ForEach(cries, new ParallelOptions { MaxDegreeOfParallelism = 2 }, cry =>
        {
            string stem = Path.GetFileNameWithoutExtension(cry.Key);
            Assert.True(twins.TryGetValue(stem, out string? twinPath), $"{cry.Key} has no WAV twin");
            bool caf = cry.Key.EndsWith(".caf", StringComparison.Ordinal);
            float[] raw, twin;
            try
            {
                raw = extractor.PrepareAudio(cry.Value.Signal!);
                twin = extractor.PrepareAudio(WavDecoder.Default.Decode(File.ReadAllBytes(twinPath!)));
            }
            catch (AudioFormatException ex)
            {
                far.Add($"{cry.Key}: {ex.Message}");
                return;
            }

            var audio = SignalComparison.Of(twin, raw, maxLag: 8);
            var mfcc = Closeness.Of(extractor.Compute(twin, FeatureStage.Mfcc, out _), extractor.Compute(raw, FeatureStage.Mfcc, out _));
            var image = Closeness.Of(extractor.ComputeImage(twin), extractor.ComputeImage(raw));
            bool close = audio.Lag == 0 && audio.Correlation >= (caf ? 0.98 : 0.9999)
                && mfcc.Correlation >= 0.9995 && mfcc.MedianAbs <= 0.5 && mfcc.MaxAbs <= 20
                && image.Correlation >= 0.992 && image.MedianAbs <= 0.015 && image.MaxAbs <= 0.6;
            if (!close)
            {
                far.Add($"{cry.Key}: audio {audio}; MFCC {mfcc}; image {image}");
            }
        });

        Assert.True(far.IsEmpty, $"{far.Count} cries are far from their twins: {string.Join(" | ", far.Take(3))}");
    }

    private readonly record struct Closeness(double Correlation, double MedianAbs, double MaxAbs)
    {
        public static Closeness Of(float[] expected, float[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            double[] diffs = [.. expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Order()];
            return new Closeness(SignalComparison.At(expected, actual, 0).Correlation, diffs[diffs.Length / 2], diffs[^1]);
        }

        public override string ToString() => FormattableString.Invariant($"correlation {Correlation:0.000000}, median |diff| {MedianAbs:0.####}, max |diff| {MaxAbs:0.###}");
    }
}

/// <summary>Decodes the raw corpus once for its tests, on two threads (FFmpeg takes 0.1–0.35 s a 3GP here).</summary>
public sealed class RawCorpusFixture
{
    public const string SkipReason = "../shared/corpus/donateacry-raw (or donateacry) not found: raw corpus test skipped";

    public RawCorpusFixture()
    {
        Raw = Locate("donateacry-raw");
        Cleaned = Locate("donateacry");
        if (Raw is null || FfmpegTool.Executable is null)
        {
            Raw = null; // Without FFmpeg the 3GP files cannot be read: the tests skip.
            return;
        }

        string[] files = [.. new[] { "cry", "not_cry", "other_reason" }
            .Where(folder => Directory.Exists(Path.Combine(Raw, folder)))
            .SelectMany(folder => Directory.GetFiles(Path.Combine(Raw, folder)))
            .Where(AudioDecoder.HasAudioExtension)];
        using var decoder = new AudioDecoder(new AudioDecoderOptions { Ffmpeg = new FfmpegOptions { MaxConcurrentProcesses = 2 } });
        var outcomes = new ConcurrentDictionary<string, RawOutcome>(StringComparer.Ordinal);
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, file =>
        {
            string key = Path.GetRelativePath(Raw, file).Replace('\\', '/');
            byte[] bytes = File.ReadAllBytes(file);
            double? declared = file.EndsWith(".3gp", StringComparison.Ordinal) ? SoundTrackSeconds(bytes) : null;
            try
            {
                AudioSignal signal = decoder.Decode(bytes);
                bool keep = key.StartsWith("cry/", StringComparison.Ordinal);
                outcomes[key] = new RawOutcome(keep ? signal : null, signal.SampleRate, signal.DurationSeconds, declared, null);
            }
            catch (AudioFormatException ex)
            {
                outcomes[key] = new RawOutcome(null, 0, 0, declared, ex.Message);
            }
        });
        Outcomes = outcomes;
    }

    /// <summary>The raw corpus folder, or null when it (or FFmpeg) is missing.</summary>
    public string? Raw { get; }

    /// <summary>The cleaned WAV edition, or null.</summary>
    public string? Cleaned { get; }

    /// <summary>Each recording by its path under <see cref="Raw"/> ("cry/….3gp").</summary>
    public IReadOnlyDictionary<string, RawOutcome> Outcomes { get; } = new Dictionary<string, RawOutcome>();

    private static string? Locate(string name)
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "shared", "corpus", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    // mdhd duration / timescale of the first track whose handler is 'soun' (moov → trak → mdia → hdlr, mdhd).
    private static double? SoundTrackSeconds(ReadOnlySpan<byte> file)
    {
        foreach (var (type, trak) in Boxes(Child(file, "moov")))
        {
            ReadOnlySpan<byte> mdia = type == "trak" ? Child(trak, "mdia") : default;
            ReadOnlySpan<byte> hdlr = Child(mdia, "hdlr");
            ReadOnlySpan<byte> mdhd = Child(mdia, "mdhd");
            if (hdlr.Length >= 12 && hdlr.Slice(8, 4).SequenceEqual("soun"u8) && mdhd.Length >= 20 && mdhd[0] == 0)
            {
                return (double)BinaryPrimitives.ReadUInt32BigEndian(mdhd[16..]) / BinaryPrimitives.ReadUInt32BigEndian(mdhd[12..]);
            }
        }

        return null;
    }

    private static ReadOnlySpan<byte> Child(ReadOnlySpan<byte> span, string wanted)
    {
        foreach (var (type, body) in Boxes(span))
        {
            if (type == wanted)
            {
                return body;
            }
        }

        return default;
    }

    // Plain 32-bit boxes only: enough for the recorders' files.
    private static List<(string Type, byte[] Body)> Boxes(ReadOnlySpan<byte> span)
    {
        var boxes = new List<(string, byte[])>();
        for (int at = 0; at + 8 <= span.Length;)
        {
            int size = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(span[at..]), (uint)(span.Length - at));
            if (size < 8)
            {
                break;
            }

            boxes.Add((System.Text.Encoding.ASCII.GetString(span.Slice(at + 4, 4)), span.Slice(at + 8, size - 8).ToArray()));
            at += size;
        }

        return boxes;
    }
}

/// <summary>What decoding one raw recording gave; the signal is kept for the cries only (their twins are compared).</summary>
public sealed record RawOutcome(AudioSignal? Signal, int SampleRate, double Seconds, double? DeclaredSeconds, string? Refusal);
