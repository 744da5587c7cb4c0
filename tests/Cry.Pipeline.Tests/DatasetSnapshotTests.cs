using Cry.Audio;
using Cry.Audio.Augmentation;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.TestSupport;
using Cry.Audio.Wav;

namespace Cry.Pipeline.Tests;

public sealed class DatasetSnapshotTests(Azurite azurite)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task TakeAsync_NamesDifferingOnlyInExtension_AreSeparateClipsWithTheirOwnTensors(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var options = new PipelineOptions { Specs = [TestSpecs.Small], Augmentation = AugmentationPolicy.None, Previews = false };
            var ingestion = new ClipIngestion(store, options);
            ulong seed = 1;
            foreach (string name in new[] { "a.wav", "a.m4a" })
            {
                await store.WriteAsync(Containers.Clips, $"hungry/{name}", WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, seed++).Samples, 8000), cancellation: Cancel);
                foreach (var work in (await ingestion.AcceptAsync("hungry", name, Cancel)).Work)
                {
                    await ingestion.ComputeAsync(work, Cancel);
                }
            }

            // Stored but not processed: it must not borrow a.wav's tensor (as it did when ids dropped the extension).
            await store.WriteAsync(Containers.Clips, "hungry/a", WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, seed).Samples, 8000), cancellation: Cancel);

            var snapshot = await DatasetSnapshot.TakeAsync(store, TestSpecs.Small, cancellation: Cancel);

            Assert.Equal(["a.m4a", "a.wav"], snapshot.Clips.Select(c => c.Name));
            Assert.All(snapshot.Clips, c => Assert.Equal(1, c.Variants));
            var paths = snapshot.Clips.Select(c => c.TensorPath(TestSpecs.Small.Id, 0)).ToList();
            Assert.Equal([$"{TestSpecs.Small.Id}/hungry/a.m4a/0.npy", $"{TestSpecs.Small.Id}/hungry/a.wav/0.npy"], paths);
            var tensors = new List<byte[]>();
            foreach (string path in paths)
            {
                tensors.Add((await store.TryReadAsync(Containers.Features, path, Cancel))!.Data);
            }

            Assert.NotEqual(tensors[0], tensors[1]);
        }
        finally
        {
            cleanup();
        }
    }
}
