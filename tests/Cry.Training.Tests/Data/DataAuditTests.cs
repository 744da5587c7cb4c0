using Cry.Audio;
using Cry.Training.Data;
using Cry.Audio.Wav;

namespace Cry.Training.Tests.Data;

public sealed class DataAuditTests : IDisposable
{
    private const string GroupA = "11111111-1111-1111-1111-111111111111";
    private const string GroupB = "22222222-2222-2222-2222-222222222222";
    private const string GroupC = "33333333-3333-3333-3333-333333333333";
    private const string GroupD = "44444444-4444-4444-4444-444444444444";
    private readonly TempCorpus _corpus = new();

    private void Write(string label, string name, float[] samples)
    {
        Directory.CreateDirectory(Path.Combine(_corpus.Root, label));
        File.WriteAllBytes(Path.Combine(_corpus.Root, label, name), WavEncoder.Encode(samples, 8000));
    }

    [Fact]
    public void Audit_FindsExactAndNearCopiesAcrossInstances_TheInstancesToMerge_MixedLabels_AndBadClips()
    {
        float[] cry = SyntheticCry.Generate(8000, 5, 1).Samples;
        Write("hungry", $"{GroupA}-1.wav", cry);
        Write("tired", $"{GroupB}-1.wav", cry); // the same recording under another instance and label

        // A re-recorded copy: 0.5 s later, at half the level, with noise 30 dB below it.
        var random = new Random(7);
        float[] shifted = new float[cry.Length];
        for (int k = 0; k < shifted.Length; k++)
        {
            shifted[k] = (k >= 4000 ? 0.5f * cry[k - 4000] : 0) + (float)((random.NextDouble() - 0.5) * 0.01);
        }

        Write("hungry", $"{GroupC}-1.wav", shifted);

        // Other cries: not copies of anything, however alike the generator makes them.
        for (int i = 0; i < 6; i++)
        {
            Write(i % 2 == 0 ? "hungry" : "tired", $"{GroupD}-{i + 2}.wav", SyntheticCry.Generate(8000, 5, (ulong)(100 + i)).Samples);
        }

        Write("hungry", $"{GroupD}-silent.wav", new float[8000 * 3]);
        Write("hungry", $"{GroupD}-short.wav", SyntheticCry.Generate(8000, 0.5, 9).Samples);
        Write("hungry", $"{GroupD}-clipped.wav", [.. SyntheticCry.Generate(8000, 3, 11).Samples.Select(x => Math.Clamp(x * 20, -1f, 1f))]);

        var report = DataAudit.Run(ClipDataset.FromFolder(_corpus.Root));

        var exact = Assert.Single(report.Duplicates, d => d.Exact);
        Assert.True(exact.AcrossGroups);
        Assert.True(exact.LabelsDiffer);
        var near = report.Duplicates.Where(d => !d.Exact).ToList(); // the re-recording, of A and of its copy B
        Assert.Equal(2, near.Count);
        Assert.All(near, d => Assert.Contains(GroupC, d.First.Path + d.Second.Path, StringComparison.Ordinal));
        Assert.All(near, d => Assert.InRange(Math.Abs(d.OffsetSeconds), 0.4, 0.6));
        Assert.Equal([[GroupA, GroupB, GroupC]], report.GroupsToMerge.Select(g => g.Select(x => x.ToLowerInvariant()).ToArray()).ToArray());
        Assert.Equal(new Dictionary<string, int> { ["hungry"] = 6, ["tired"] = 3 }, report.MixedGroups[GroupD.ToLowerInvariant()]);

        string Flags(string name) => string.Join(",", report.Clips.Single(c => c.Clip.Path.EndsWith(name, StringComparison.Ordinal)).Flags);
        Assert.Equal("silent", Flags("-silent.wav"));
        Assert.Equal("too-short", Flags("-short.wav"));
        Assert.Equal("clipped", Flags("-clipped.wav"));
        Assert.Equal(string.Empty, Flags($"{GroupD}-2.wav"));
    }

    public void Dispose() => _corpus.Dispose();
}
