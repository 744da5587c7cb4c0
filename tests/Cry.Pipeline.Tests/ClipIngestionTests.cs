using System.Text;
using System.Text.Json;
using Cry.Audio;
using Cry.Audio.Augmentation;
using Cry.Features.Npy;
using Cry.Features.Specs;
using Cry.Pipeline.Storage;
using Cry.TestSupport;
using Cry.Training.Data;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Pipeline.Tests;

public sealed class ClipIngestionTests(Azurite azurite)
{
    private static readonly PipelineOptions s_options = new();

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
            const string Name = "0a1b2c3d-1111-2222-3333-444455556666-1430000000-1.0-f-04-ti.wav";
            await store.WriteAsync(Containers.Clips, $"tired/{Name}", wav, cancellation: Cancel);
            var ingestion = new ClipIngestion(store, s_options);

            var result = await ingestion.AcceptAsync("tired", Name, Cancel);
            Assert.True(result.Accepted);
            Assert.Equal(4, result.Work.Count); // the original and three research variants for tired
            foreach (var work in result.Work)
            {
                Assert.NotNull(await ingestion.ComputeAsync(work, Cancel));
            }

            string specId = FeatureSpecPresets.Default.Id;
            Assert.Equal(
                Enumerable.Range(0, 4).SelectMany(v => new[] { $"{specId}/tired/{Name}/{v}.npy", $"{specId}/tired/{Name}/{v}.png" }).Order(StringComparer.Ordinal),
                await Paths(store, Containers.Features));

            // The same bits the training pipeline computes from the same file (originals and augmented variants).
            Directory.CreateDirectory(Path.Combine(folder, "tired"));
            Directory.CreateDirectory(Path.Combine(folder, "hungry"));
            File.WriteAllBytes(Path.Combine(folder, "tired", Name), wav);
            File.WriteAllBytes(Path.Combine(folder, "hungry", "other.wav"), Clip(3, 2));
            var trained = FeaturizedDataset.Compute(ClipDataset.FromFolder(folder), FeatureSpecPresets.Default, AugmentationPolicy.Research);
            int index = trained.Dataset.Clips.ToList().FindIndex(c => c.Label == "tired");
            for (int v = 0; v < 4; v++)
            {
                var stored = await store.TryReadAsync(Containers.Features, $"{specId}/tired/{Name}/{v}.npy", Cancel);
                float[] tensor = NpyFile.Read(new MemoryStream(stored!.Data)).ToSingleArray();
                Assert.Equal(trained.Variants[index][v], tensor);
            }

            // Running everything again writes the same objects: no duplicates, same bytes.
            var before = await store.TryReadAsync(Containers.Features, $"{specId}/tired/{Name}/2.npy", Cancel);
            var again = await ingestion.AcceptAsync("tired", Name, Cancel);
            foreach (var work in again.Work)
            {
                await ingestion.ComputeAsync(work, Cancel);
            }

            Assert.Equal(8, (await Paths(store, Containers.Features)).Count);
            Assert.Equal(before!.Data, (await store.TryReadAsync(Containers.Features, $"{specId}/tired/{Name}/2.npy", Cancel))!.Data);
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

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task PhoneRecordingPutIntoClips_IsProcessedAsItIs_AndABrokenOneIsQuarantinedWithTheReason(string kind)
    {
        Assert.SkipUnless(FfmpegEncoder.IsAvailable, FfmpegEncoder.Missing);
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            byte[] wav = Clip();
            byte[] threeGp = FfmpegEncoder.Encode(wav, ".3gp", "-c:a", "aac", "-f", "3gp");
            await store.WriteAsync(Containers.Clips, "hungry/memo.3gp", threeGp, cancellation: Cancel);
            await store.WriteAsync(Containers.Clips, "hungry/cut.3gp", threeGp[..(threeGp.Length / 2)], cancellation: Cancel);
            var ingestion = new ClipIngestion(store, s_options);

            var result = await ingestion.AcceptAsync("hungry", "memo.3gp", Cancel);
            Assert.True(result.Accepted, result.Reason);
            string? tensorPath = await ingestion.ComputeAsync(result.Work[0], Cancel);
            Assert.Equal($"{FeatureSpecPresets.Default.Id}/hungry/memo.3gp/0.npy", tensorPath);
            Assert.Equal(threeGp, (await store.TryReadAsync(Containers.Clips, "hungry/memo.3gp", Cancel))!.Data); // Never rewritten.

            // The tensor is the one of the decoded audio, exactly as training computes it.
            var extractor = new Cry.Features.FeatureExtractor(FeatureSpecPresets.Default);
            float[] expected = extractor.ComputeImage(extractor.PrepareAudio(AudioDecoder.Default.Decode(threeGp)));
            var stored = await store.TryReadAsync(Containers.Features, tensorPath!, Cancel);
            Assert.Equal(expected, NpyFile.Read(new MemoryStream(stored!.Data)).ToSingleArray());

            var broken = await ingestion.AcceptAsync("hungry", "cut.3gp", Cancel);
            Assert.False(broken.Accepted);
            Assert.Contains("3GP", broken.Reason, StringComparison.Ordinal);
            Assert.NotNull(await store.TryReadAsync(Containers.Quarantine, "clips/hungry/cut.3gp", Cancel));
            Assert.Null(await store.TryReadAsync(Containers.Clips, "hungry/cut.3gp", Cancel));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task ReservedFolders_AreAcceptedAsTheyAre_NeverAugmented_AndAMisspellingIsQuarantinedWithTheSpelling(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            await store.WriteAsync(Containers.Clips, "not_cry/tv.wav", Clip(seed: 3), cancellation: Cancel);
            await store.WriteAsync(Containers.Clips, "cry/unlabelled.wav", Clip(seed: 4), cancellation: Cancel);
            await store.WriteAsync(Containers.Clips, "Not-Cry/radio.wav", Clip(seed: 5), cancellation: Cancel);
            var ingestion = new ClipIngestion(store, s_options with { Augmentation = AugmentationPolicy.Research });
            Assert.NotEmpty(AugmentationPolicy.Research.VariantsFor("tired")); // The policy augments, but not these folders.

            foreach (var (label, name) in new[] { ("not_cry", "tv.wav"), ("cry", "unlabelled.wav") })
            {
                var result = await ingestion.AcceptAsync(label, name, Cancel);
                Assert.True(result.Accepted, result.Reason);
                var unit = Assert.Single(result.Work, w => w.SpecId == FeatureSpecPresets.Default.Id);
                Assert.Equal(0, unit.Variant);
                Assert.Equal($"{FeatureSpecPresets.Default.Id}/{label}/{name}/0.npy", await ingestion.ComputeAsync(unit, Cancel));
                await Assert.ThrowsAsync<ArgumentException>(() => ingestion.ComputeAsync(unit with { Variant = 1 }, Cancel));
            }

            var misspelled = await ingestion.AcceptAsync("Not-Cry", "radio.wav", Cancel);
            Assert.False(misspelled.Accepted);
            Assert.Contains("rename it to 'not_cry'", misspelled.Reason, StringComparison.Ordinal);
            Assert.NotNull(await store.TryReadAsync(Containers.Quarantine, "clips/Not-Cry/radio.wav", Cancel));
        }
        finally
        {
            cleanup();
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
            var options = s_options with { MaxClipBytes = 100_000 };
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
            Assert.Equal(bytes, (await store.TryReadAsync(Containers.Quarantine, $"clips/{label}/x.wav", Cancel))!.Data);
            var note = JsonDocument.Parse((await store.TryReadAsync(Containers.Quarantine, $"reasons/{label}/x.wav.json", Cancel))!.Data).RootElement;
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
            var ingestion = new ClipIngestion(store, s_options with { Previews = false });
            foreach (string name in new[] { "a.wav", "b.wav" })
            {
                await store.WriteAsync(Containers.Clips, $"hungry/{name}", Clip(), cancellation: Cancel);
                foreach (var work in (await ingestion.AcceptAsync("hungry", name, Cancel)).Work)
                {
                    await ingestion.ComputeAsync(work, Cancel);
                }
            }

            await store.WriteAsync(Containers.Quarantine, "clips/hungry/a.wav", new byte[3], cancellation: Cancel);
            await store.WriteAsync(Containers.Quarantine, "reasons/hungry/a.wav.json", new byte[3], cancellation: Cancel);

            int deleted = await ingestion.EraseAsync("hungry", "a.wav", Cancel);

            Assert.Equal(4, deleted); // clip, one feature tensor (hungry has no variants), two quarantine objects
            Assert.Equal(["hungry/b.wav"], await Paths(store, Containers.Clips));
            Assert.All(await Paths(store, Containers.Features), p => Assert.Contains("/hungry/b.wav/", p, StringComparison.Ordinal));
            Assert.Empty(await Paths(store, Containers.Quarantine));
            Assert.Equal(0, await ingestion.EraseAsync("hungry", "a.wav", Cancel)); // twice is harmless
        }
        finally
        {
            cleanup();
        }
    }

    /// <summary>Names that were one clip id when the id was the name without its extension.</summary>
    private static readonly string[] s_sameStem = ["a.wav", "a.wave", "a.m4a", "a"];

    /// <summary>Every object (<c>container/path</c>) kept for one processed (hungry: one variant) and quarantined clip name.</summary>
    private static IEnumerable<string> Layout(string name)
    {
        string specId = FeatureSpecPresets.Default.Id;
        yield return $"clips/hungry/{name}";
        yield return $"features/{specId}/hungry/{name}/0.npy";
        yield return $"features/{specId}/hungry/{name}/0.png";
        yield return $"quarantine/clips/hungry/{name}";
        yield return $"quarantine/reasons/hungry/{name}.json";
    }

    /// <summary>Every object (<c>container/path</c>) in the clip, feature and quarantine containers, ordinally sorted.</summary>
    private static async Task<List<string>> Everything(IArtifactStore store)
    {
        var all = new List<string>();
        foreach (string container in new[] { Containers.Clips, Containers.Features, Containers.Quarantine })
        {
            all.AddRange((await Paths(store, container)).Select(p => $"{container}/{p}"));
        }

        return [.. all.Order(StringComparer.Ordinal)];
    }

    /// <summary>Each name quarantined once (copy and note) and then uploaded again and processed (clip, tensor, preview).</summary>
    private static async Task<ClipIngestion> StoreEach(IArtifactStore store, IEnumerable<string> names)
    {
        var ingestion = new ClipIngestion(store, s_options);
        ulong seed = 10;
        foreach (string name in names)
        {
            byte[] wav = Clip(3, seed++);
            await store.WriteAsync(Containers.Clips, $"hungry/{name}", wav, cancellation: Cancel);
            await ingestion.QuarantineAsync("hungry", name, "held for review", Cancel);
            await store.WriteAsync(Containers.Clips, $"hungry/{name}", wav, cancellation: Cancel);
            var result = await ingestion.AcceptAsync("hungry", name, Cancel);
            Assert.True(result.Accepted);
            foreach (var work in result.Work)
            {
                await ingestion.ComputeAsync(work, Cancel);
            }
        }

        return ingestion;
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task Compute_NamesDifferingOnlyInExtension_KeepFourSeparateClips(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            await StoreEach(store, s_sameStem);

            Assert.Equal(
                s_sameStem.SelectMany(Layout).Order(StringComparer.Ordinal),
                await Everything(store));
            string specId = FeatureSpecPresets.Default.Id;
            var tensors = new List<byte[]>();
            foreach (string name in s_sameStem)
            {
                tensors.Add((await store.TryReadAsync(Containers.Features, $"{specId}/hungry/{name}/0.npy", Cancel))!.Data);
                var note = JsonDocument.Parse((await store.TryReadAsync(Containers.Quarantine, $"reasons/hungry/{name}.json", Cancel))!.Data).RootElement;
                Assert.Equal($"clips/hungry/{name}", note.GetProperty("originalPath").GetString());
            }

            // Four recordings, four tensors: none overwrote another.
            Assert.Equal(4, tensors.Select(Convert.ToHexString).Distinct().Count());
        }
        finally
        {
            cleanup();
        }
    }

    public static TheoryData<string, string> SameStemErasures()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in new[] { "local", "blob" })
        {
            foreach (string name in s_sameStem)
            {
                data.Add(kind, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SameStemErasures))]
    public async Task Erase_OneOfNamesDifferingOnlyInExtension_RemovesExactlyThatClip(string kind, string erased)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var ingestion = await StoreEach(store, s_sameStem);

            int deleted = await ingestion.EraseAsync("hungry", erased, Cancel);

            Assert.Equal(5, deleted); // clip, tensor, preview, quarantine copy, note
            Assert.Equal(
                s_sameStem.Where(n => n != erased).SelectMany(Layout).Order(StringComparer.Ordinal),
                await Everything(store));
            Assert.Equal(0, await ingestion.EraseAsync("hungry", erased, Cancel));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task Erase_NameNeverStored_DeletesNothingOfAClipWithTheSameStem(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var ingestion = await StoreEach(store, ["a.wav"]);

            foreach (string name in new[] { "a", "a.wave", "a.m4a", "a.wav.json", "A.wav" })
            {
                Assert.Equal(0, await ingestion.EraseAsync("hungry", name, Cancel));
            }

            Assert.Equal(0, await ingestion.EraseAsync("tired", "a.wav", Cancel));
            Assert.Equal(Layout("a.wav").Order(StringComparer.Ordinal), await Everything(store));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task Quarantine_NamesThatLookLikeNotes_KeepEveryNoteApart(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var ingestion = new ClipIngestion(store, s_options);
            string[] names = ["x.wav", "x.wav.reason.json", "x.wav.json", "x.wav.json.json"];
            foreach (string name in names)
            {
                await store.WriteAsync(Containers.Clips, $"hungry/{name}", Encoding.UTF8.GetBytes($"not audio: {name}"), cancellation: Cancel);
                Assert.False((await ingestion.AcceptAsync("hungry", name, Cancel)).Accepted);
            }

            Assert.Empty(await Paths(store, Containers.Clips));
            foreach (string name in names)
            {
                Assert.Equal(Encoding.UTF8.GetBytes($"not audio: {name}"), (await store.TryReadAsync(Containers.Quarantine, $"clips/hungry/{name}", Cancel))!.Data);
                var note = JsonDocument.Parse((await store.TryReadAsync(Containers.Quarantine, $"reasons/hungry/{name}.json", Cancel))!.Data).RootElement;
                Assert.Equal($"clips/hungry/{name}", note.GetProperty("originalPath").GetString());
            }

            // Erasing the note-like name leaves x.wav's copy and note.
            Assert.Equal(2, await ingestion.EraseAsync("hungry", "x.wav.reason.json", Cancel));
            Assert.NotNull(await store.TryReadAsync(Containers.Quarantine, "clips/hungry/x.wav", Cancel));
            Assert.NotNull(await store.TryReadAsync(Containers.Quarantine, "reasons/hungry/x.wav.json", Cancel));
            Assert.Equal(6, (await Paths(store, Containers.Quarantine)).Count);
        }
        finally
        {
            cleanup();
        }
    }

    public static TheoryData<string, string> UnsafeNames()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in new[] { "local", "blob" })
        {
            foreach (string name in new[] { "a b.wav", "caf\u00e9.wav", ".hidden.wav", "a.tmp", "CON.wav" })
            {
                data.Add(kind, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UnsafeNames))]
    public async Task Accept_UnsafeName_IsQuarantinedUnderItsNameWithTheReason(string kind, string name)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            byte[] wav = Clip(3);
            await store.WriteAsync(Containers.Clips, $"hungry/{name}", wav, cancellation: Cancel);

            var result = await new ClipIngestion(store, s_options).AcceptAsync("hungry", name, Cancel);

            Assert.False(result.Accepted);
            Assert.Empty(result.Work);
            Assert.StartsWith("The clip's name cannot be stored safely: it ", result.Reason, StringComparison.Ordinal);
            Assert.Empty(await Paths(store, Containers.Clips));
            Assert.Equal(wav, (await store.TryReadAsync(Containers.Quarantine, $"clips/hungry/{name}", Cancel))!.Data);
            var note = JsonDocument.Parse((await store.TryReadAsync(Containers.Quarantine, $"reasons/hungry/{name}.json", Cancel))!.Data).RootElement;
            Assert.Equal(result.Reason, note.GetProperty("reason").GetString());
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task Accept_UnaddressableName_IsLeftInPlace(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var ingestion = new ClipIngestion(store, s_options);
            await store.WriteAsync(Containers.Clips, "hungry/sub/a.wav", Clip(3), cancellation: Cancel);

            var nested = await ingestion.AcceptAsync("hungry", "sub/a.wav", Cancel);
            var control = await ingestion.AcceptAsync("hungry", "a\u0001.wav", Cancel);
            var tooLong = await ingestion.AcceptAsync("hungry", new string('a', 300) + ".wav", Cancel);
            var badLabel = await ingestion.AcceptAsync("..", "a.wav", Cancel);

            Assert.All(new[] { nested, control, tooLong, badLabel }, r => Assert.False(r.Accepted));
            Assert.Contains("path separator", nested.Reason, StringComparison.Ordinal);
            Assert.Contains("control character", control.Reason, StringComparison.Ordinal);
            Assert.Contains("304 characters", tooLong.Reason, StringComparison.Ordinal);
            Assert.StartsWith("The label cannot be stored safely", badLabel.Reason, StringComparison.Ordinal);
            Assert.Equal(["hungry/sub/a.wav"], await Paths(store, Containers.Clips));
            Assert.Empty(await Paths(store, Containers.Quarantine));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [InlineData("hungry", "")]
    [InlineData("hungry", ".")]
    [InlineData("hungry", "..")]
    [InlineData("hungry", "../a.wav")]
    [InlineData("hungry", "a.")]
    [InlineData("hungry", "a b.wav")]
    [InlineData("..", "a.wav")]
    [InlineData("", "a.wav")]
    public async Task Erase_InvalidLabelOrName_ThrowsArgumentExceptionAndDeletesNothing(string label, string name)
    {
        var store = Stores.Create("local", azurite, out var cleanup);
        try
        {
            var ingestion = await StoreEach(store, ["a.wav"]);

            await Assert.ThrowsAsync<ArgumentException>(() => ingestion.EraseAsync(label, name, Cancel));

            Assert.Equal(Layout("a.wav").Order(StringComparer.Ordinal), await Everything(store));
        }
        finally
        {
            cleanup();
        }
    }

    [Fact]
    public async Task Compute_InvalidName_ThrowsArgumentException()
    {
        var store = Stores.Create("local", azurite, out var cleanup);
        try
        {
            var ingestion = new ClipIngestion(store, s_options);
            var work = new FeatureWork("hungry", "../a.wav", FeatureSpecPresets.Default.Id, 0);

            await Assert.ThrowsAsync<ArgumentException>(() => ingestion.ComputeAsync(work, Cancel));
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
            var result = await new ClipIngestion(store, s_options).AcceptAsync("hungry", "never-uploaded.wav", Cancel);
            Assert.False(result.Accepted);
            Assert.Null(result.Reason);
        }
        finally
        {
            cleanup();
        }
    }
}
