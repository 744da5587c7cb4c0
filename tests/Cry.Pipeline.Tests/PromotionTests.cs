using Cry.Inference;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.TestSupport;

namespace Cry.Pipeline.Tests;

/// <summary>Only a complete, hash-checked bundle of a run that succeeded becomes the champion.</summary>
public sealed class PromotionTests(Azurite azurite)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task Store(IArtifactStore store, string modelId, bool ensemble, string? status = TrainingResult.Succeeded)
    {
        string folder = Path.Combine(Path.GetTempPath(), "cry-promote-" + Guid.NewGuid().ToString("N"));
        try
        {
            var bundle = TinyBundle.Create(["hungry", "tired"], modelId);
            if (ensemble)
            {
                bundle.WriteEnsemble(folder, detectorBias: 2);
            }
            else
            {
                bundle.Write(folder);
            }

            await StoredBundle.UploadAsync(store, modelId, folder, Cancel);
            if (status is not null)
            {
                var result = new TrainingResult(modelId, status, status == TrainingResult.Succeeded ? null : "a class has too few groups", "snap-1", 0.2, DateTimeOffset.UtcNow);
                await store.WriteAsync(Containers.Models, TrainingResult.PathOf(modelId), result.ToJson(), cancellation: Cancel);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> Refusal(IArtifactStore store, string modelId)
    {
        var ex = await Assert.ThrowsAsync<BundleNotPromotableException>(() => ModelEvaluation.PromoteAsync(store, modelId, "by hand", null, Cancel));
        Assert.Null(await ModelEvaluation.ReadChampionAsync(store, Cancel)); // nothing was promoted
        return ex.Message;
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task CompleteBundlesOfSucceededRuns_ArePromoted(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            await Store(store, "run-1", ensemble: false);
            await Store(store, "run-2", ensemble: true);
            await ModelEvaluation.PromoteAsync(store, "run-1", "by hand", null, Cancel);
            var champion = await ModelEvaluation.ReadChampionAsync(store, Cancel);
            Assert.Equal("run-1", champion!.Value.Pointer.ModelId);
            await ModelEvaluation.PromoteAsync(store, "run-2", "by hand", champion.Value.ETag, Cancel);
            Assert.Equal("run-2", (await ModelEvaluation.ReadChampionAsync(store, Cancel))!.Value.Pointer.ModelId);
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task FailedUnfinishedIncompleteOrAlteredBundles_AreRefusedWithTheReason(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            await Assert.ThrowsAsync<ModelBundleException>(() => ModelEvaluation.PromoteAsync(store, "nothing-here", "by hand", null, Cancel));

            await Store(store, "failed", ensemble: true, status: TrainingResult.Failed);
            Assert.Contains("did not succeed", await Refusal(store, "failed"), StringComparison.Ordinal);

            await Store(store, "unfinished", ensemble: true, status: null);
            Assert.Contains("no training result", await Refusal(store, "unfinished"), StringComparison.Ordinal);

            // A failed run's folder holds only its result.
            var failed = new TrainingResult("result-only", TrainingResult.Succeeded, null, "snap-1", null, DateTimeOffset.UtcNow);
            await store.WriteAsync(Containers.Models, TrainingResult.PathOf("result-only"), failed.ToJson(), cancellation: Cancel);
            Assert.Contains("manifest.json is missing", await Refusal(store, "result-only"), StringComparison.Ordinal);

            await Store(store, "no-model", ensemble: false);
            Assert.True(await store.DeleteAsync(Containers.Models, "no-model/model.onnx", Cancel));
            Assert.Contains("model.onnx, which the manifest names, is missing", await Refusal(store, "no-model"), StringComparison.Ordinal);

            await Store(store, "no-member", ensemble: true);
            Assert.True(await store.DeleteAsync(Containers.Models, "no-member/members/no-member-fold-1.onnx", Cancel));
            Assert.Contains("members/no-member-fold-1.onnx, which the manifest names, is missing", await Refusal(store, "no-member"), StringComparison.Ordinal);

            await Store(store, "altered", ensemble: true);
            var member = (await store.TryReadAsync(Containers.Models, "altered/members/altered-fold-1.onnx", Cancel))!.Data;
            member[^1] ^= 0xFF;
            await store.WriteAsync(Containers.Models, "altered/members/altered-fold-1.onnx", member, cancellation: Cancel);
            Assert.Contains("does not match the SHA-256", await Refusal(store, "altered"), StringComparison.Ordinal);

            await Store(store, "bad-manifest", ensemble: false);
            await store.WriteAsync(Containers.Models, "bad-manifest/manifest.json", "{\"formatVersion\": 1"u8.ToArray(), cancellation: Cancel);
            Assert.Contains("is not valid", await Refusal(store, "bad-manifest"), StringComparison.Ordinal);

            await Store(store, "other-run", ensemble: false);
            var other = new TrainingResult("run-9", TrainingResult.Succeeded, null, "snap-1", null, DateTimeOffset.UtcNow);
            await store.WriteAsync(Containers.Models, TrainingResult.PathOf("other-run"), other.ToJson(), cancellation: Cancel);
            Assert.Contains("reports another run", await Refusal(store, "other-run"), StringComparison.Ordinal);

            await store.WriteAsync(Containers.Models, TrainingResult.PathOf("garbled"), "not json"u8.ToArray(), cancellation: Cancel);
            Assert.Contains("not a valid training result", await Refusal(store, "garbled"), StringComparison.Ordinal);
        }
        finally
        {
            cleanup();
        }
    }
}
