using System.Text;
using Cry.Pipeline.Storage;

namespace Cry.Pipeline.Tests;

public sealed class StoreContractTests(Azurite azurite)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task WriteReadListDelete_WithConditions(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            Assert.Null(await store.TryReadAsync("models", "none.json", Cancel));
            string first = await store.WriteAsync("models", "a/champion.json", Encoding.UTF8.GetBytes("one"), WriteCondition.IfNotExists, Cancel);
            await Assert.ThrowsAsync<ArtifactConflictException>(() => store.WriteAsync("models", "a/champion.json", Encoding.UTF8.GetBytes("two"), WriteCondition.IfNotExists, Cancel));

            var read = await store.TryReadAsync("models", "a/champion.json", Cancel);
            Assert.Equal("one", Encoding.UTF8.GetString(read!.Data));
            Assert.Equal(first, read.ETag);

            string second = await store.WriteAsync("models", "a/champion.json", Encoding.UTF8.GetBytes("two"), WriteCondition.IfMatch(first), Cancel);
            await Assert.ThrowsAsync<ArtifactConflictException>(() => store.WriteAsync("models", "a/champion.json", Encoding.UTF8.GetBytes("three"), WriteCondition.IfMatch(first), Cancel));
            Assert.NotEqual(first, second);

            await store.WriteAsync("models", "b/x.bin", new byte[10], cancellation: Cancel);
            await store.WriteAsync("models", "a/b/y.bin", new byte[3], cancellation: Cancel);
            var all = await store.ListAsync("models", cancellation: Cancel).ToListAsync(Cancel);
            Assert.Equal(["a/b/y.bin", "a/champion.json", "b/x.bin"], all.Select(a => a.Path));
            Assert.Equal(10, all.Single(a => a.Path == "b/x.bin").Size);
            Assert.All(all, a => Assert.InRange(a.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
            Assert.Equal(["a/b/y.bin", "a/champion.json"], (await store.ListAsync("models", "a/", Cancel).ToListAsync(Cancel)).Select(a => a.Path));
            Assert.Empty(await store.ListAsync("datasets", cancellation: Cancel).ToListAsync(Cancel));

            Assert.True(await store.DeleteAsync("models", "b/x.bin", Cancel));
            Assert.False(await store.DeleteAsync("models", "b/x.bin", Cancel));
            Assert.False(await store.DeleteAsync("datasets", "nothing", Cancel));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task PathsThatCouldEscape_AreRefused(string path)
    {
        var store = Stores.Create("local", azurite, out var cleanup);
        try
        {
            await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync("models", path, new byte[1], cancellation: Cancel));
        }
        finally
        {
            cleanup();
        }
    }
}
