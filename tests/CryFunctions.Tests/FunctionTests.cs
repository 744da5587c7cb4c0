using System.Net;
using System.Text;
using System.Text.Json;
using Cry.Audio;
using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Storage;
using Cry.Pipeline.Tests;
using Cry.Serving;
using Cry.TestSupport;
using CryFunctions.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace CryFunctions.Tests;

/// <summary>The function classes called directly with real blobs on Azurite (the host cannot run here).</summary>
public sealed class FunctionTests(Azurite azurite) : IAsyncLifetime
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "cry-fn-" + Guid.NewGuid().ToString("N"));
    private IArtifactStore _store = null!;
    private string _prefix = string.Empty;
    private Action _cleanup = () => { };

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        // Containers with a per-test prefix: other test assemblies share the emulator (the end-to-end test uses the
        // app's real container names).
        _store = Stores.Create("blob", azurite, out _cleanup);
        _prefix = Guid.NewGuid().ToString("N")[..8];
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _cleanup();
        await Task.CompletedTask;
        try
        {
            if (Directory.Exists(_cache))
            {
                Directory.Delete(_cache, recursive: true);
            }
        }
        catch (IOException)
        {
            // A background refresh of a disposed source may still be writing there; the temp folder is left behind.
        }
    }

    private static byte[] Clip(double seconds = 7, ulong seed = 1) => WavEncoder.Encode(SyntheticCry.Generate(8000, seconds, seed).Samples, 8000);

    private ClipIngestion Ingestion(PipelineOptions? options = null) => new(_store, options ?? new PipelineOptions { Previews = false });

    private (HttpFunctions Functions, Predictor Predictor) Http(PipelineOptions? options = null, ServingOptions? serving = null, PredictionGate? gate = null)
    {
        var inference = new InferenceOptions { Device = "cpu" };
        var predictor = new Predictor(new ChampionModelSource(_store, _cache, inference, TimeSpan.Zero), inference);
        options ??= new PipelineOptions { Previews = false };
        serving ??= new ServingOptions();
        return (new HttpFunctions(predictor, serving, gate ?? new PredictionGate(serving), _store, Ingestion(options), options, NullLogger<HttpFunctions>.Instance), predictor);
    }

    private static DefaultHttpContext Request(string method, byte[]? body = null, string? contentType = null)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
            context.Request.ContentType = contentType;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<(int Status, JsonElement Body)> Execute(IResult result, DefaultHttpContext context)
    {
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        string text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return (context.Response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task UploadedClip_FansOutWork_AndEachUnitWritesItsTensor_Idempotently()
    {
        string name = $"{_prefix}-a.wav";
        await _store.WriteAsync(Containers.Clips, $"burping/{name}", Clip(), cancellation: Cancel);
        var functions = new ClipFunctions(Ingestion(), NullLogger<ClipFunctions>.Instance);

        string[] messages = await functions.HandleAsync("burping", name, Cancel);
        Assert.Equal(4, messages.Length);
        foreach (string message in messages)
        {
            await functions.ComputeFeatures(JsonSerializer.Deserialize<FeatureWork>(message)!, Cancel);
        }

        var tensors = await _store.ListAsync(Containers.Features, cancellation: Cancel).ToListAsync(Cancel);
        Assert.Equal(4, tensors.Count);

        // The same blob again (a retry, a second notification): the same four objects, no more.
        foreach (string message in await functions.HandleAsync("burping", name, Cancel))
        {
            await functions.ComputeFeatures(JsonSerializer.Deserialize<FeatureWork>(message)!, Cancel);
        }

        Assert.Equal(tensors.Select(t => t.Path), (await _store.ListAsync(Containers.Features, cancellation: Cancel).ToListAsync(Cancel)).Select(t => t.Path));
    }

    [Fact]
    public async Task BadUpload_IsQuarantined_AndFansOutNothing()
    {
        string name = $"{_prefix}-bad.wav";
        await _store.WriteAsync(Containers.Clips, $"tired/{name}", Encoding.UTF8.GetBytes("not a wav"), cancellation: Cancel);
        var functions = new ClipFunctions(Ingestion(), NullLogger<ClipFunctions>.Instance);
        Assert.Empty(await functions.HandleAsync("tired", name, Cancel));
        Assert.NotNull(await _store.TryReadAsync(Containers.Quarantine, $"clips/tired/{name}", Cancel));
        Assert.NotNull(await _store.TryReadAsync(Containers.Quarantine, $"reasons/tired/{name}.json", Cancel));
        Assert.Null(await _store.TryReadAsync(Containers.Clips, $"tired/{name}", Cancel));
    }

    [Fact]
    public async Task Predict_Is503WithoutAChampion_And200OncePromoted_ThenFollowsANewChampion()
    {
        var (functions, predictor) = Http();
        using (predictor)
        {
            var noChampion = Request("POST", Clip(), "audio/wav");
            var (status, problem) = await Execute(await functions.Predict(noChampion.Request), noChampion);
            Assert.Equal((int)HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("No model", problem.GetProperty("title").GetString(), StringComparison.Ordinal);

            await Promote(TinyBundle.Create(["hungry", "tired"], "model-1"));
            var first = Request("POST", Clip(), "audio/wav");
            (status, var body) = await Execute(await functions.Predict(first.Request), first);
            Assert.Equal(200, status);
            Assert.Equal("model-1", body.GetProperty("modelId").GetString());

            // The new champion loads in the background; requests meanwhile are answered by model-1, never made to wait.
            await Promote(TinyBundle.Create(["hungry", "tired"], "model-2"));
            var served = new List<string>();
            // A deadline, not a count of tries: on a loaded machine the download and the session take longer.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (served.LastOrDefault() != "model-2" && DateTime.UtcNow < deadline)
            {
                var second = Request("POST", Clip(), "audio/wav");
                (status, body) = await Execute(await functions.Predict(second.Request), second);
                Assert.Equal(200, status);
                served.Add(body.GetProperty("modelId").GetString()!);
                await Task.Delay(20, Cancel);
            }

            Assert.Equal("model-2", served[^1]);
            Assert.All(served, id => Assert.Contains(id, new[] { "model-1", "model-2" }));

            // A champion pointer naming a bundle that does not exist: the serving model goes on serving.
            await _store.WriteAsync(Containers.Models, ChampionPointer.Path, JsonSerializer.SerializeToUtf8Bytes(new ChampionPointer("gone", DateTimeOffset.UtcNow, "test")), cancellation: Cancel);
            var stillServing = Request("POST", Clip(), "audio/wav");
            (status, body) = await Execute(await functions.Predict(stillServing.Request), stillServing);
            Assert.Equal(200, status);
            Assert.Equal("model-2", body.GetProperty("modelId").GetString());

            var bad = Request("POST", Encoding.UTF8.GetBytes("text"), "audio/wav");
            await Promote(TinyBundle.Create(["hungry", "tired"], "model-2"));
            (status, _) = await Execute(await functions.Predict(bad.Request), bad);
            Assert.Equal(400, status);
        }

        // With nothing serving yet, a pointer to a missing bundle is a 503 that says what is missing, not a 500.
        var (fresh, freshPredictor) = Http();
        using (freshPredictor)
        {
            await _store.WriteAsync(Containers.Models, ChampionPointer.Path, JsonSerializer.SerializeToUtf8Bytes(new ChampionPointer("gone", DateTimeOffset.UtcNow, "test")), cancellation: Cancel);
            var request = Request("POST", Clip(), "audio/wav");
            var (status, problem) = await Execute(await fresh.Predict(request.Request), request);
            Assert.Equal(503, status);
            Assert.Contains("models/gone", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UploadClip_PhoneRecording_StoresTheDecodedAudioAsWavWithoutItsTags()
    {
        Assert.SkipUnless(FfmpegEncoder.IsAvailable, FfmpegEncoder.Missing);
        byte[] m4a = FfmpegEncoder.Encode(Clip(), ".m4a", "-c:a", "aac", "-metadata", "title=at-home-52.51N-13.40E", "-metadata", "comment=iPhone");
        var (functions, predictor) = Http();
        using (predictor)
        {
            var upload = Request("POST", m4a, "audio/x-m4a");
            var (status, body) = await Execute(await functions.UploadClip(upload.Request, "hungry", Cancel), upload);
            Assert.Equal(201, status);
            string name = body.GetProperty("name").GetString()!;
            Assert.EndsWith(".wav", name, StringComparison.Ordinal);
            byte[] stored = (await _store.TryReadAsync(Containers.Clips, $"hungry/{name}", Cancel))!.Data;
            Assert.Equal("RIFF", Encoding.ASCII.GetString(stored, 0, 4));
            Assert.DoesNotContain("52.51N", Encoding.Latin1.GetString(stored), StringComparison.Ordinal);
            Assert.DoesNotContain("iPhone", Encoding.Latin1.GetString(stored), StringComparison.Ordinal);

            // The stored WAV holds exactly the samples the upload decodes to, at the upload's own rate.
            var original = AudioDecoder.Default.Decode(m4a);
            var kept = AudioDecoder.Default.Decode(stored);
            Assert.Equal(original.SampleRate, kept.SampleRate);
            Assert.Equal(original.Samples, kept.Samples);

            var broken = Request("POST", m4a[..(m4a.Length / 3)], "audio/mp4");
            (status, _) = await Execute(await functions.UploadClip(broken.Request, "hungry", Cancel), broken);
            Assert.Equal(400, status); // Cut before its moov box: a broken file, said so.
        }
    }

    [Fact]
    public async Task UploadClip_StoresUnderAServerName_RefusesBadInput_AndEraseRemovesIt()
    {
        var (functions, predictor) = Http();
        using (predictor)
        {
            var upload = Request("POST", Clip(), "audio/wav");
            var (status, body) = await Execute(await functions.UploadClip(upload.Request, "hungry", Cancel), upload);
            Assert.Equal(201, status);
            string name = body.GetProperty("name").GetString()!;
            Assert.NotNull(await _store.TryReadAsync(Containers.Clips, $"hungry/{name}", Cancel));

            var unknown = Request("POST", Clip(), "audio/wav");
            (status, _) = await Execute(await functions.UploadClip(unknown.Request, "sleepy", Cancel), unknown);
            Assert.Equal(400, status);

            var (small, smallPredictor) = Http(new PipelineOptions { Previews = false, MaxClipBytes = 4096 });
            using (smallPredictor)
            {
                var big = Request("POST", Clip(), "audio/wav");
                big.Request.ContentLength = null; // as a chunked upload: the limit is found while reading
                (status, _) = await Execute(await small.UploadClip(big.Request, "hungry", Cancel), big);
                Assert.Equal(413, status);
            }

            // A limit below the smallest read buffer (4 KB) still answers as a limit does.
            var (tiny, tinyPredictor) = Http(new PipelineOptions { Previews = false, MaxClipBytes = 2000 });
            using (tinyPredictor)
            {
                var big = Request("POST", Clip(), "audio/wav");
                big.Request.ContentLength = null;
                (status, _) = await Execute(await tiny.UploadClip(big.Request, "hungry", Cancel), big);
                Assert.Equal(413, status);
            }

            var ogg = Request("POST", [.. "OggS\0\x02"u8, .. new byte[60]], "audio/ogg");
            (status, _) = await Execute(await functions.UploadClip(ogg.Request, "hungry", Cancel), ogg);
            Assert.Equal(400, status); // An Ogg page with no codec in it: a broken file, not an unsupported format.

            var erase = Request("DELETE");
            (status, body) = await Execute(await functions.EraseClip(erase.Request, "hungry", name, Cancel), erase);
            Assert.Equal(200, status);
            Assert.Equal(1, body.GetProperty("objectsDeleted").GetInt32());
            var again = Request("DELETE");
            (status, _) = await Execute(await functions.EraseClip(again.Request, "hungry", name, Cancel), again);
            Assert.Equal(404, status);
        }
    }

    [Fact]
    public async Task UploadClip_ReadsLikePrediction_Multipart415StallsAndTheGate()
    {
        var serving = new ServingOptions { BodyStallTimeout = TimeSpan.FromMilliseconds(300), MaxConcurrentPredictions = 1, PredictionQueueWait = TimeSpan.FromMilliseconds(100) };
        var gate = new PredictionGate(serving);
        var (functions, predictor) = Http(serving: serving, gate: gate);
        using (predictor)
        {
            // A browser form: the file field of multipart/form-data is the clip.
            byte[] wav = Clip(3);
            string boundary = "cry-form-boundary";
            byte[] form = [
                .. Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"),
                .. Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n"),
                .. wav,
                .. Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n")];
            var multipart = Request("POST", form, $"multipart/form-data; boundary={boundary}");
            var (status, body) = await Execute(await functions.UploadClip(multipart.Request, "hungry", Cancel), multipart);
            Assert.Equal(201, status);
            byte[] stored = (await _store.TryReadAsync(Containers.Clips, $"hungry/{body.GetProperty("name").GetString()}", Cancel))!.Data;
            Assert.Equal(AudioDecoder.Default.Decode(wav).Samples, AudioDecoder.Default.Decode(stored).Samples);

            // Not a recording's media type: 415 before anything is read or stored.
            var text = Request("POST", wav, "text/plain");
            (status, var problem) = await Execute(await functions.UploadClip(text.Request, "hungry", Cancel), text);
            Assert.Equal(415, status);
            Assert.Contains("text/plain", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            // A body that stops arriving: 408 after the stall timeout, nothing stored, and the gate's slot is free again.
            var stalled = Request("POST", null, "audio/wav");
            stalled.Request.Body = new StallingStream(wav.AsMemory(0, wav.Length / 2));
            stalled.Request.ContentLength = wav.Length;
            stalled.Request.ContentType = "audio/wav";
            (status, problem) = await Execute(await functions.UploadClip(stalled.Request, "hungry", Cancel), stalled);
            Assert.Equal(408, status);
            Assert.Equal("The body stopped arriving", problem.GetProperty("title").GetString());
            Assert.Equal(0, gate.InFlight);
            Assert.Single(await _store.ListAsync(Containers.Clips, cancellation: Cancel).ToListAsync(Cancel));

            // With every prediction slot busy for longer than the queue wait, an upload is 503 with Retry-After.
            Assert.True(gate.TryEnter(1, out var held, out _));
            Assert.Null(await held!.TakeSlotAsync(Cancel));
            using (held)
            {
                var busy = Request("POST", wav, "audio/wav");
                (status, _) = await Execute(await functions.UploadClip(busy.Request, "hungry", Cancel), busy);
                Assert.Equal(503, status);
                Assert.Equal("5", busy.Response.Headers.RetryAfter.ToString());
            }

            var again = Request("POST", wav, "audio/wav");
            (status, _) = await Execute(await functions.UploadClip(again.Request, "hungry", Cancel), again);
            Assert.Equal(201, status);
        }
    }

    /// <summary>Gives its bytes, then never another one (until cancelled): a client that stops sending.</summary>
    private sealed class StallingStream(ReadOnlyMemory<byte> head) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < head.Length)
            {
                int n = Math.Min(buffer.Length, head.Length - _position);
                head.Slice(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task HandleAsync_UnsafeName_IsQuarantinedWithTheReason_AndFansOutNothing()
    {
        string name = $"{_prefix} copy.wav";
        await _store.WriteAsync(Containers.Clips, $"tired/{name}", Clip(), cancellation: Cancel);
        var functions = new ClipFunctions(Ingestion(), NullLogger<ClipFunctions>.Instance);

        Assert.Empty(await functions.HandleAsync("tired", name, Cancel));

        Assert.Null(await _store.TryReadAsync(Containers.Clips, $"tired/{name}", Cancel));
        Assert.NotNull(await _store.TryReadAsync(Containers.Quarantine, $"clips/tired/{name}", Cancel));
        var note = JsonDocument.Parse((await _store.TryReadAsync(Containers.Quarantine, $"reasons/tired/{name}.json", Cancel))!.Data).RootElement;
        Assert.Contains("U+0020", note.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hungry", "..", "Invalid clip name")]
    [InlineData("hungry", ".", "Invalid clip name")]
    [InlineData("hungry", "a b.wav", "Invalid clip name")]
    [InlineData("hungry", ".reason.json", "Invalid clip name")]
    [InlineData("hungry", "a.", "Invalid clip name")]
    [InlineData("hungry", "", "Invalid clip name")]
    [InlineData("..", "a.wav", "Invalid label")]
    public async Task EraseClip_InvalidName_Is400ProblemJson(string label, string name, string title)
    {
        var (functions, predictor) = Http();
        using (predictor)
        {
            var erase = Request("DELETE");
            var (status, problem) = await Execute(await functions.EraseClip(erase.Request, label, name, Cancel), erase);

            Assert.Equal(400, status);
            Assert.Equal("application/problem+json", erase.Response.ContentType);
            Assert.Equal(title, problem.GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task EraseClip_SameStemNeverStored_Is404_AndTheStoredClipStays()
    {
        string name = $"{_prefix}-a.wav";
        string stem = Path.GetFileNameWithoutExtension(name);
        await _store.WriteAsync(Containers.Clips, $"hungry/{name}", Clip(), cancellation: Cancel);
        var clips = new ClipFunctions(Ingestion(), NullLogger<ClipFunctions>.Instance);
        foreach (string message in await clips.HandleAsync("hungry", name, Cancel))
        {
            await clips.ComputeFeatures(JsonSerializer.Deserialize<FeatureWork>(message)!, Cancel);
        }

        var before = await _store.ListAsync(Containers.Features, cancellation: Cancel).ToListAsync(Cancel);
        Assert.Single(before);
        var (functions, predictor) = Http();
        using (predictor)
        {
            foreach (string other in new[] { stem, stem + ".wave", stem + ".m4a" })
            {
                var erase = Request("DELETE");
                var (status, _) = await Execute(await functions.EraseClip(erase.Request, "hungry", other, Cancel), erase);
                Assert.Equal(404, status);
            }

            Assert.NotNull(await _store.TryReadAsync(Containers.Clips, $"hungry/{name}", Cancel));
            Assert.Equal(before.Select(f => f.Path), (await _store.ListAsync(Containers.Features, cancellation: Cancel).ToListAsync(Cancel)).Select(f => f.Path));

            var exact = Request("DELETE");
            var (exactStatus, body) = await Execute(await functions.EraseClip(exact.Request, "hungry", name, Cancel), exact);
            Assert.Equal(200, exactStatus);
            Assert.Equal(2, body.GetProperty("objectsDeleted").GetInt32()); // the clip and its one tensor
            Assert.Empty(await _store.ListAsync(Containers.Features, cancellation: Cancel).ToListAsync(Cancel));
        }
    }

    [Fact]
    public async Task Predict_WithTheModelStoreDown_Is503WithRetryAfter_AndHealthStaysUp()
    {
        var inference = new InferenceOptions { Device = "cpu" };
        var down = new DownStore();
        using var predictor = new Predictor(new ChampionModelSource(down, _cache, inference, TimeSpan.Zero), inference);
        var functions = new HttpFunctions(predictor, new ServingOptions(), new PredictionGate(new ServingOptions()), down, Ingestion(), new PipelineOptions { Previews = false }, NullLogger<HttpFunctions>.Instance);
        var request = Request("POST", Clip(), "audio/wav");
        var (status, problem) = await Execute(await functions.Predict(request.Request), request);
        Assert.Equal(503, status);
        Assert.Equal("The model store cannot be reached", problem.GetProperty("title").GetString());
        Assert.Equal("5", request.Response.Headers.RetryAfter.ToString());

        var health = Request("GET");
        var (healthStatus, body) = await Execute(functions.Health(health.Request), health);
        Assert.Equal(200, healthStatus);
        Assert.Contains("cannot be reached", body.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    private sealed class DownStore : IArtifactStore
    {
        public Task<StoredArtifact?> TryReadAsync(string container, string path, CancellationToken cancellation = default) =>
            throw new Azure.RequestFailedException(503, "The server is busy.");

        public Task<string> WriteAsync(string container, string path, ReadOnlyMemory<byte> data, WriteCondition? condition = null, CancellationToken cancellation = default) =>
            throw new Azure.RequestFailedException(503, "The server is busy.");

        public Task<bool> DeleteAsync(string container, string path, CancellationToken cancellation = default) =>
            throw new Azure.RequestFailedException(503, "The server is busy.");

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string container, string prefix = "", CancellationToken cancellation = default) =>
            throw new Azure.RequestFailedException(503, "The server is busy.");
    }

    [Fact]
    public async Task PromoteModel_Is404ForNothing_409ForAFailedOrIncompleteRun_And200ForASucceededBundle()
    {
        var inference = new InferenceOptions { Device = "cpu" };
        using var predictor = new Predictor(new ChampionModelSource(_store, _cache, inference, TimeSpan.Zero), inference);
        var models = new ModelFunctions(predictor, _store, NullLogger<ModelFunctions>.Instance);
        async Task<(int Status, JsonElement Body)> Promote(string id)
        {
            var request = Request("POST");
            return await Execute(await models.PromoteModel(request.Request, id, Cancel), request);
        }

        async Task Store(string id, string status, bool withModel = true)
        {
            string folder = Path.Combine(_cache, "stored-" + id);
            TinyBundle.Create(["hungry", "tired"], id).Write(folder);
            foreach (string file in Directory.GetFiles(folder).Where(f => withModel || !f.EndsWith(".onnx", StringComparison.Ordinal)))
            {
                await _store.WriteAsync(Containers.Models, $"{id}/{Path.GetFileName(file)}", await File.ReadAllBytesAsync(file, Cancel), cancellation: Cancel);
            }

            var result = new Cry.Pipeline.Retraining.TrainingResult(id, status, null, "snap-1", 0.2, DateTimeOffset.UtcNow);
            await _store.WriteAsync(Containers.Models, Cry.Pipeline.Retraining.TrainingResult.PathOf(id), result.ToJson(), cancellation: Cancel);
        }

        var (missing, missingProblem) = await Promote("no-such-run");
        Assert.Equal(404, missing);
        Assert.Equal("No such model", missingProblem.GetProperty("title").GetString());

        await Store("failed-run", Cry.Pipeline.Retraining.TrainingResult.Failed);
        var (failed, failedProblem) = await Promote("failed-run");
        Assert.Equal(409, failed);
        Assert.Contains("did not succeed", failedProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        await Store("no-onnx", Cry.Pipeline.Retraining.TrainingResult.Succeeded, withModel: false);
        var (incomplete, incompleteProblem) = await Promote("no-onnx");
        Assert.Equal(409, incomplete);
        Assert.Contains("model.onnx", incompleteProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await Cry.Pipeline.Retraining.ModelEvaluation.ReadChampionAsync(_store, Cancel));

        await Store("good-run", Cry.Pipeline.Retraining.TrainingResult.Succeeded);
        var (promoted, body) = await Promote("good-run");
        Assert.Equal(200, promoted);
        Assert.Equal("good-run", body.GetProperty("champion").GetString());
    }

    private sealed class NoDispatcher : Cry.Pipeline.Retraining.ITrainingDispatcher
    {
        public Task DispatchAsync(Cry.Pipeline.Retraining.TrainingJob job, CancellationToken cancellation = default) =>
            throw new InvalidOperationException("not used");
    }

    private async Task Promote(TinyBundle bundle)
    {
        string folder = Path.Combine(_cache, "source-" + bundle.ModelId);
        bundle.Write(folder);
        foreach (string file in Directory.GetFiles(folder))
        {
            await _store.WriteAsync(Containers.Models, $"{bundle.ModelId}/{Path.GetFileName(file)}", await File.ReadAllBytesAsync(file, Cancel), cancellation: Cancel);
        }

        var pointer = new ChampionPointer(bundle.ModelId, DateTimeOffset.UtcNow, "test");
        await _store.WriteAsync(Containers.Models, ChampionPointer.Path, JsonSerializer.SerializeToUtf8Bytes(pointer), cancellation: Cancel);
    }
}
