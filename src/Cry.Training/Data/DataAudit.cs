using System.Security.Cryptography;
using Cry.Audio;
using Cry.Features;
using Cry.Features.Specs;
using Cry.Audio.Decoding;

namespace Cry.Training.Data;

/// <summary>Thresholds of <see cref="DataAudit"/>; the defaults are general audio rules, not tuned to any corpus.</summary>
public sealed record DataAuditOptions
{
    /// <summary>A clip shorter than this is too short to be featurised (the feature extractor's minimum).</summary>
    public double MinimumSeconds { get; init; } = 1.0;

    /// <summary>A sample this close to full scale counts as clipped.</summary>
    public double ClipLevel { get; init; } = 0.999;

    /// <summary>A clip with more than this share of clipped samples is flagged.</summary>
    public double ClippedShare { get; init; } = 0.001;

    /// <summary>A clip whose RMS level is below this (dBFS) is flagged silent.</summary>
    public double SilentDbfs { get; init; } = -50;

    /// <summary>Two clips whose log-mel envelopes correlate at least this much, at their best offset, are near-duplicates.</summary>
    public double NearDuplicateCorrelation { get; init; } = 0.9;

    /// <summary>The largest offset searched between two recordings of one sound, in seconds.</summary>
    public double MaximumOffsetSeconds { get; init; } = 2.0;

    /// <summary>Pairs compared in detail per clip: its nearest by mean spectrum.</summary>
    public int Candidates { get; init; } = 8;
}

/// <summary>One clip of the audit.</summary>
/// <param name="Clip">The clip.</param>
/// <param name="DurationSeconds">Its length, or NaN when it cannot be decoded.</param>
/// <param name="ClippedShare">Share of samples at full scale.</param>
/// <param name="RmsDbfs">RMS level in dBFS.</param>
/// <param name="Flags">too-short, clipped, silent, undecodable.</param>
public sealed record AuditedClip(ClipInfo Clip, double DurationSeconds, double ClippedShare, double RmsDbfs, IReadOnlyList<string> Flags);

/// <summary>Two recordings of one sound: exact (the same samples) or near (correlated log-mel envelopes at some offset).</summary>
/// <param name="First">One clip.</param>
/// <param name="Second">The other.</param>
/// <param name="Exact">The same decoded samples.</param>
/// <param name="Correlation">The best correlation of their log-mel envelopes (1 for exact duplicates).</param>
/// <param name="OffsetSeconds">Where the second starts relative to the first.</param>
public sealed record DuplicatePair(ClipInfo First, ClipInfo Second, bool Exact, double Correlation, double OffsetSeconds)
{
    /// <summary>The two clips are in different app instances: they leak across grouped folds.</summary>
    public bool AcrossGroups => First.Group != Second.Group;

    /// <summary>The two clips carry different labels.</summary>
    public bool LabelsDiffer => First.Label != Second.Label;
}

/// <summary>What the audit found.</summary>
/// <param name="Clips">Every clip with its measurements and flags.</param>
/// <param name="Duplicates">Exact and near-duplicate pairs, most similar first.</param>
/// <param name="GroupsToMerge">Sets of app instances linked by duplicates across them: grouped evaluation must treat each set as one group.</param>
/// <param name="MixedGroups">App instances whose clips carry more than one label, with the labels' counts.</param>
public sealed record DataAuditReport(
    IReadOnlyList<AuditedClip> Clips,
    IReadOnlyList<DuplicatePair> Duplicates,
    IReadOnlyList<IReadOnlyList<string>> GroupsToMerge,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> MixedGroups);

/// <summary>
/// A data audit of a labelled folder: exact and near-duplicate recordings within and across app instances (a duplicate
/// across instances leaks even under grouped evaluation), the label mix per instance, and clips too short, clipped or
/// silent.
/// </summary>
/// <remarks>
/// Near-duplicates are found without any learnt model: each clip's log-mel spectrogram (8 kHz, 40 bands) is pooled to
/// about 16 frames a second and 20 bands and standardised; each clip is compared with its nearest clips by mean spectrum,
/// at every offset up to <see cref="DataAuditOptions.MaximumOffsetSeconds"/>, over an overlap of at least half of the
/// shorter clip and about 2 s (clips shorter than that are compared for exact copies only), and a pair is a near-duplicate when the Pearson correlation passes the threshold. This finds a
/// re-encoded, cut, shifted or re-levelled copy; two cries of one infant are not copies and correlate far less.
/// </remarks>
public static class DataAudit
{
    private const int Bands = 20;
    private const int Pool = 4; // 62.5 frames/s → ~15.6
    private const int MinimumOverlapFrames = 31; // about 2 s

    /// <summary>Audits the dataset; a clip that cannot be read is flagged "unreadable" with the reason.</summary>
    public static DataAuditReport Run(ClipDataset dataset, DataAuditOptions? options = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new DataAuditOptions();
        var spec = FeatureSpecPresets.Default with { DurationSeconds = null, Image = null };
        int n = dataset.Count;
        var (audited, hashes, envelopes, means) = MeasureClips(dataset, spec, options, progress);

        var pairs = new Dictionary<(int, int), DuplicatePair>();
        foreach (var same in Enumerable.Range(0, n).Where(i => hashes[i] is not null).GroupBy(i => hashes[i]).Where(g => g.Count() > 1))
        {
            int[] members = [.. same];
            for (int a = 0; a < members.Length; a++)
            {
                for (int b = a + 1; b < members.Length; b++)
                {
                    pairs[(members[a], members[b])] = new DuplicatePair(dataset.Clips[members[a]], dataset.Clips[members[b]], true, 1, 0);
                }
            }
        }

        int maxLag = (int)Math.Round(options.MaximumOffsetSeconds * spec.SampleRate / spec.HopLength / Pool);
        var near = NearDuplicates(envelopes, means, options, maxLag);
        foreach (var (a, b, r, lag) in near.OrderBy(x => x.A).ThenBy(x => x.B).ThenByDescending(x => x.R))
        {
            if (!pairs.ContainsKey((a, b)))
            {
                pairs[(a, b)] = new DuplicatePair(dataset.Clips[a], dataset.Clips[b], false, r, lag * (double)spec.HopLength * Pool / spec.SampleRate);
            }
        }

        var duplicates = pairs.Values.OrderByDescending(p => p.Exact).ThenByDescending(p => p.Correlation)
            .ThenBy(p => p.First.Path, StringComparer.Ordinal).ThenBy(p => p.Second.Path, StringComparer.Ordinal).ToList();
        return new DataAuditReport(audited, duplicates, MergedGroups(duplicates), MixedGroups(dataset));
    }

    /// <summary>
    /// Decodes and measures every clip in parallel: its audit, the hash of its quantised sound, and (when long enough
    /// for one frame) its pooled envelope and mean spectrum; an unreadable clip has no hash and no envelope.
    /// </summary>
    private static (AuditedClip[] Audited, string?[] Hashes, float[][] Envelopes, float[][] Means) MeasureClips(
        ClipDataset dataset, FeatureSpec spec, DataAuditOptions options, IProgress<int>? progress)
    {
        int n = dataset.Count;
        var audited = new AuditedClip[n];
        var hashes = new string?[n];
        var envelopes = new float[n][];
        var means = new float[n][];
        int done = 0;
        using var extractors = new ThreadLocal<FeatureExtractor>(() => new FeatureExtractor(spec, minimumSeconds: 0.05)); // one per thread: it keeps buffers
        Parallel.For(0, n, i =>
        {
            var clip = dataset.Clips[i];
            var extractor = extractors.Value!;
            try
            {
                var signal = AudioDecoder.Default.DecodeFile(clip.Path);
                float[] samples = extractor.PrepareAudio(signal);
                (audited[i], hashes[i]) = Measure(clip, signal, samples, options);
                if (samples.Length >= spec.NFft)
                {
                    (envelopes[i], means[i]) = Envelope(extractor.Compute(samples, FeatureStage.Db, out int[] shape), shape[0], shape[1]);
                }
            }
            catch (Exception ex) when (ex is AudioFormatException or AudioDecoderBusyException or IOException or UnauthorizedAccessException)
            {
                audited[i] = new AuditedClip(clip, double.NaN, double.NaN, double.NaN, [$"unreadable: {ex.Message}"]);
            }

            progress?.Report(Interlocked.Increment(ref done));
        });
        return (audited, hashes, envelopes, means);
    }

    /// <summary>
    /// The pairs (lower index first) whose envelopes correlate at or above the threshold at some offset, each clip compared
    /// with its <see cref="DataAuditOptions.Candidates"/> nearest clips by mean spectrum; in no particular order.
    /// </summary>
    private static System.Collections.Concurrent.ConcurrentBag<(int A, int B, double R, int Lag)> NearDuplicates(
        float[][] envelopes, float[][] means, DataAuditOptions options, int maxLag)
    {
        int n = envelopes.Length;
        var near = new System.Collections.Concurrent.ConcurrentBag<(int A, int B, double R, int Lag)>();
        Parallel.For(0, n, i =>
        {
            if (envelopes[i] is null)
            {
                return;
            }

            var nearest = Enumerable.Range(0, n)
                .Where(j => j != i && envelopes[j] is not null)
                .OrderByDescending(j => Cosine(means[i], means[j]))
                .Take(options.Candidates);
            foreach (int j in nearest)
            {
                var (r, lag) = BestCorrelation(envelopes[i], envelopes[j], maxLag);
                if (r >= options.NearDuplicateCorrelation)
                {
                    near.Add((Math.Min(i, j), Math.Max(i, j), r, i < j ? lag : -lag));
                }
            }
        });
        return near;
    }

    private static (AuditedClip Clip, string Hash) Measure(ClipInfo clip, AudioSignal signal, float[] samples, DataAuditOptions options)
    {
        var flags = new List<string>();
        if (signal.DurationSeconds < options.MinimumSeconds)
        {
            flags.Add("too-short");
        }

        long clipped = 0;
        double energy = 0;
        foreach (float x in signal.Samples)
        {
            clipped += Math.Abs(x) >= options.ClipLevel ? 1 : 0;
            energy += (double)x * x;
        }

        double share = signal.Samples.Length == 0 ? 0 : (double)clipped / signal.Samples.Length;
        double rms = signal.Samples.Length == 0 ? double.NegativeInfinity : 10 * Math.Log10(Math.Max(energy / signal.Samples.Length, 1e-20));
        if (share > options.ClippedShare)
        {
            flags.Add("clipped");
        }

        if (rms < options.SilentDbfs)
        {
            flags.Add("silent");
        }

        // The same sound at the product's rate, quantised to 16 bits: a copy re-written with another header or container matches.
        byte[] quantised = new byte[samples.Length * 2];
        for (int k = 0; k < samples.Length; k++)
        {
            short q = (short)Math.Clamp(Math.Round(samples[k] * 32767.0), short.MinValue, short.MaxValue);
            quantised[2 * k] = (byte)q;
            quantised[(2 * k) + 1] = (byte)(q >> 8);
        }

        return (new AuditedClip(clip, signal.DurationSeconds, share, rms, flags), Convert.ToHexString(SHA256.HashData(quantised)));
    }

    /// <summary>Pools the dB spectrogram (bands × frames, row-major) to <see cref="Bands"/> × frames/<see cref="Pool"/>, frame-major, standardised.</summary>
    private static (float[] Envelope, float[] Mean) Envelope(float[] db, int mels, int frames)
    {
        int pooled = Math.Max(1, frames / Pool);
        var result = new float[pooled * Bands];
        var mean = new float[Bands];
        int perBand = mels / Bands;
        for (int t = 0; t < pooled; t++)
        {
            for (int b = 0; b < Bands; b++)
            {
                double sum = 0;
                int count = 0;
                for (int m = b * perBand; m < (b + 1) * perBand; m++)
                {
                    for (int f = t * Pool; f < Math.Min(frames, (t + 1) * Pool); f++)
                    {
                        sum += db[(m * frames) + f];
                        count++;
                    }
                }

                result[(t * Bands) + b] = (float)(sum / Math.Max(1, count));
                mean[b] += result[(t * Bands) + b] / pooled;
            }
        }

        double average = result.Average(x => (double)x);
        double sd = Math.Sqrt(result.Average(x => (x - average) * (x - average)));
        for (int k = 0; k < result.Length; k++)
        {
            result[k] = (float)((result[k] - average) / Math.Max(sd, 1e-6));
        }

        // The mean spectrum's shape, not its level: a re-levelled copy must stay among the nearest candidates.
        float level = mean.Average();
        for (int b = 0; b < Bands; b++)
        {
            mean[b] -= level;
        }

        return (result, mean);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int k = 0; k < a.Length; k++)
        {
            ab += a[k] * b[k];
            aa += a[k] * a[k];
            bb += b[k] * b[k];
        }

        return ab / Math.Sqrt(Math.Max(aa * bb, 1e-30));
    }

    /// <summary>The best Pearson correlation of two frame-major envelopes over lags (b shifted by lag frames), with overlap ≥ half the shorter.</summary>
    private static (double R, int Lag) BestCorrelation(float[] a, float[] b, int maxLag)
    {
        int fa = a.Length / Bands, fb = b.Length / Bands;
        // At least half of the shorter clip and about 2 s: a short overlap matches by chance.
        int minimum = Math.Max(MinimumOverlapFrames, Math.Min(fa, fb) / 2);
        double best = double.NegativeInfinity;
        int bestLag = 0;
        for (int lag = -maxLag; lag <= maxLag; lag++)
        {
            // Frame t of a meets frame t - lag of b.
            int start = Math.Max(0, lag), end = Math.Min(fa, fb + lag);
            if (end - start < minimum)
            {
                continue;
            }

            double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
            int count = (end - start) * Bands;
            for (int t = start; t < end; t++)
            {
                int ia = t * Bands, ib = (t - lag) * Bands;
                for (int k = 0; k < Bands; k++)
                {
                    double x = a[ia + k], y = b[ib + k];
                    sa += x;
                    sb += y;
                    saa += x * x;
                    sbb += y * y;
                    sab += x * y;
                }
            }

            double cov = sab - (sa * sb / count), va = saa - (sa * sa / count), vb = sbb - (sb * sb / count);
            double r = cov / Math.Sqrt(Math.Max(va * vb, 1e-30));
            if (r > best)
            {
                (best, bestLag) = (r, lag);
            }
        }

        return (double.IsFinite(best) ? best : 0, bestLag);
    }

    private static List<IReadOnlyList<string>> MergedGroups(IEnumerable<DuplicatePair> duplicates)
    {
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        string Find(string g)
        {
            while (parent.TryGetValue(g, out string? p) && p != g)
            {
                g = p;
            }

            return g;
        }

        foreach (var pair in duplicates.Where(p => p.AcrossGroups))
        {
            parent.TryAdd(pair.First.Group, pair.First.Group);
            parent.TryAdd(pair.Second.Group, pair.Second.Group);
            string a = Find(pair.First.Group), b = Find(pair.Second.Group);
            if (a != b)
            {
                parent[string.CompareOrdinal(a, b) < 0 ? b : a] = string.CompareOrdinal(a, b) < 0 ? a : b;
            }
        }

        return [.. parent.Keys.GroupBy(Find).Select(g => (IReadOnlyList<string>)[.. g.Order(StringComparer.Ordinal)]).OrderBy(g => g[0], StringComparer.Ordinal)];
    }

    private static Dictionary<string, IReadOnlyDictionary<string, int>> MixedGroups(ClipDataset dataset) =>
        dataset.Clips.GroupBy(c => c.Group)
            .Where(g => g.Select(c => c.Label).Distinct().Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.GroupBy(c => c.Label).OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Count()), StringComparer.Ordinal);
}
