using System.Text.Json;
using Cry.Audio;
using Cry.Audio.Augmentation;
using Cry.Features.Npy;
using Cry.Features.Specs;
using Cry.Pipeline.Storage;
using Cry.TestSupport;
using Cry.Training.Data;

namespace Cry.Pipeline.Tests;

public sealed class ClipIngestionTests(Azurite azurite)
{
    private static readonly PipelineOptions Options = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static byte[] Clip(double seconds = 7, ulong seed = 1) => WavEncoder.Encode(SyntheticCry.Generate(8000, seconds, seed).Samples, 8000);

    private static async Task<List<string>> Paths(IArtifactStore store, string container) =>
        (await store.ListAsync(container, cancellation: Cancel).ToListAsync(Cancel)).Select(a => a.Path).ToList();

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task GoodClip_FansOutOneUnitPerVariantAndSpec_AndTheTensorsAreTheTrainingPipelines(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        string folder = Path.Combine(Path.GetTempPath(), "cry-ingest-" + Guid.NewGuid().ToString("N"));
        try
        {
            byte[] wav = Clip();
            const string name = "0a1b2c3d-1111-2222-3333-444455556666-1430000000-1.0-f-04-ti.wav";
            await store.WriteAsync(Containers.Clips, $"tired/{name}", wav, cancellation: Cancel);
            var ingestion = new ClipIngestion(store, Options);

            var result = await ingestion.AcceptAsync("tired", name, Cancel);
            Assert.True(result.Accepted);
            Assert.Equal(4, result.Work.Count); // the original and three research variants for tired
            foreach (var work in result.Work)
            {
                Assert.NotNull(await ingestion.ComputeAsync(work, Cancel));
            }

            string specId = FeatureSpecPresets.Default.Id;
            string stem = Path.GetFileNameWithoutExtension(name);
            Assert.Equal(
                Enumerable.Range(0, 4).SelectMany(v => new[] { $"{specId}/tired/{stem}/{v}.npy", $"{specId}/tired/{stem}/{v}.png" }).Order(StringComparer.Ordinal),
                await Paths(store, Containers.Features));

            // The same bits the training pipeline computes from the same file (originals and augmented variants).
            Directory.CreateDirectory(Path.Combine(folder, "tired"));
            Directory.CreateDirectory(Path.Combine(folder, "hungry"));
            File.WriteAllBytes(Path.Combine(folder, "tired", name), wav);
            File.WriteAllBytes(Path.Combine(folder, "hungry", "other.wav"), Clip(3, 2));
            var trained = FeaturizedDataset.Compute(ClipDataset.FromFolder(folder), FeatureSpecPresets.Default, AugmentationPolicy.Research);
            int index = trained.Dataset.Clips.ToList().FindIndex(c => c.Label == "tired");
            for (int v = 0; v < 4; v++)
            {
                var stored = await store.TryReadAsync(Containers.Features, $"{specId}/tired/{stem}/{v}.npy", Cancel);
                float[] tensor = NpyFile.Read(new MemoryStream(stored!.Data)).ToSingleArray();
                Assert.Equal(trained.Variants[index][v], tensor);
            }

            // Running everything again writes the same objects: no duplicates, same bytes.
            var before = await store.TryReadAsync(Containers.Features, $"{specId}/tired/{stem}/2.npy", Cancel);
            var again = await ingestion.AcceptAsync("tired", name, Cancel);
            foreach (var work in again.Work)
            {
                await ingestion.ComputeAsync(work, Cancel);
            }

            Assert.Equal(8, (await Paths(store, Containers.Features)).Count);
            Assert.Equal(before!.Data, (await store.TryReadAsync(Containers.Features, $"{specId}/tired/{stem}/2.npy", Cancel))!.Data);
        }
        finally
        {
            cleanup();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    public static TheoryData<string, string> BadClips()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in new[] { "local", "blob" })
        {
            foreach (var (name, _, expected) in RobustnessCorpus.Cases.Where(c => c.Expected != Expected.Result).Take(6))
            {
                data.Add(kind, name);
            }

            data.Add(kind, "unknown label");
            data.Add(kind, "oversized");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadClips))]
    public async Task BadClip_IsQuarantinedWithItsReason_AndNothingIsLost(string kind, string caseName)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var options = Options with { MaxClipBytes = 100_000 };
            string label = caseName == "unknown label" ? "sleepy" : "hungry";
            byte[] bytes = caseName switch
            {
                "unknown label" => Clip(),
                "oversized" => Clip(10), // 160 KB
                _ => RobustnessCorpus.Cases.Single(c => c.Name == caseName).Bytes,
            };
            await store.WriteAsync(Containers.Clips, $"{label}/x.wav", bytes, cancellation: Cancel);

            var result = await new ClipIngestion(store, options).AcceptAsync(label, "x.wav", Cancel);

            Assert.False(result.Accepted);
            Assert.Empty(result.Work);
            Assert.Empty(await Paths(store, Containers.Clips));
            Assert.Equal(bytes, (await store.TryReadAsync(Containers.Quarantine, $"{label}/x.wav", Cancel))!.Data);
            var note = JsonDocument.Parse((await store.TryReadAsync(Containers.Quarantine, $"{label}/x.wav.reason.json", Cancel))!.Data).RootElement;
            Assert.Equal(result.Reason, note.GetProperty("reason").GetString());
            Assert.Equal($"clips/{label}/x.wav", note.GetProperty("originalPath").GetString());
            Assert.Contains(caseName switch { "unknown label" => "Unknown label", "oversized" => "limit", _ => string.Empty }, result.Reason, StringComparison.Ordinal);
            Assert.Empty(await Paths(store, Containers.Features));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task Erase_RemovesTheClipAndEverythingDerived_AndLeavesOthers(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var ingestion = new ClipIngestion(store, Options with { Previews = false });
            foreach (string name in new[] { "a.wav", "b.wav" })
            {
                await store.WriteAsync(Containers.Clips, $"hungry/{name}", Clip(), cancellation: Cancel);
                foreach (var work in (await ingestion.AcceptAsync("hungry", name, Cancel)).Work)
                {
                    await ingestion.ComputeAsync(work, Cancel);
                }
            }

            await store.WriteAsync(Containers.Quarantine, "hungry/a.wav", new byte[3], cancellation: Cancel);
            await store.WriteAsync(Containers.Quarantine, "hungry/a.wav.reason.json", new byte[3], cancellation: Cancel);

            int deleted = await ingestion.EraseAsync("hungry", "a.wav", Cancel);

            Assert.Equal(4, deleted); // clip, one feature tensor (hungry has no variants), two quarantine objects
            Assert.Equal(["hungry/b.wav"], await Paths(store, Containers.Clips));
            Assert.All(await Paths(store, Containers.Features), p => Assert.Contains("/hungry/b/", p, StringComparison.Ordinal));
            Assert.Empty(await Paths(store, Containers.Quarantine));
            Assert.Equal(0, await ingestion.EraseAsync("hungry", "a.wav", Cancel)); // twice is harmless
        }
        finally
        {
            cleanup();
        }
    }

    [Fact]
    public async Task GoneClip_IsNothingToDo()
    {
        var store = Stores.Create("local", azurite, out var cleanup);
        try
        {
            var result = await new ClipIngestion(store, Options).AcceptAsync("hungry", "never-uploaded.wav", Cancel);
            Assert.False(result.Accepted);
            Assert.Null(result.Reason);
        }
        finally
        {
            cleanup();
        }
    }
}
