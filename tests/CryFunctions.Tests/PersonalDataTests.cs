using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
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
using CryFunctions.Retraining;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Cry.Audio.Wav;

namespace CryFunctions.Tests;

/// <summary>
/// Names and content that look like personal data go through upload, ingestion, feature work, prediction, erasure,
/// retention and retraining; none of them may reach a log line (message, structured values or exception) or a metric.
/// </summary>
public sealed class PersonalDataTests(Azurite azurite) : IAsyncLifetime
{
    private const string PersonalLabel = "emma-smith-2026-01-02";
    private const string PersonalName = "mother-name-2026.wav";
    private const string PersonalText = "Patient JANE DOE, born 2026-01-02, 12 Elm Street";
    private static readonly string[] s_personal = ["emma-smith", "mother-name", "JANE DOE", "Elm Street", "jane-doe"];

    private readonly string _cache = Path.Combine(Path.GetTempPath(), "cry-pii-" + Guid.NewGuid().ToString("N"));
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConcurrentBag<string> _metrics = [];
    private IArtifactStore _store = null!;
    private Action _cleanup = () => { };
    private MeterListener? _listener;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _store = Stores.Create("blob", azurite, out _cleanup);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PipelineMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        _listener.Start();
        return ValueTask.CompletedTask;
    }

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = new StringBuilder(instrument.Name);
        foreach (var tag in tags)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }

        _metrics.Add(text.ToString());
    }

    public ValueTask DisposeAsync()
    {
        _listener?.Dispose();
        _cleanup();
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }

        return ValueTask.CompletedTask;
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

    private static async Task<int> Status(IResult result, DefaultHttpContext context)
    {
        await result.ExecuteAsync(context);
        return context.Response.StatusCode;
    }

    private static byte[] Clip(ulong seed) => WavEncoder.Encode(SyntheticCry.Generate(8000, 3, seed).Samples, 8000);

    [Fact]
    public async Task NoNameLabelOrContentThatLooksPersonal_ReachesALogLineOrAMetric()
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        var pipeline = new PipelineOptions { Previews = false };
        var ingestion = new ClipIngestion(_store, pipeline, factory.CreateLogger<ClipIngestion>());
        var inference = new InferenceOptions { Device = "cpu" };
        using var predictor = new Predictor(new ChampionModelSource(_store, _cache, inference, TimeSpan.Zero, factory.CreateLogger<ChampionModelSource>()), inference);
        var serving = new ServingOptions();
        var http = new HttpFunctions(predictor, serving, new PredictionGate(serving), _store, ingestion, pipeline, factory.CreateLogger<HttpFunctions>());
        var clips = new ClipFunctions(ingestion, factory.CreateLogger<ClipFunctions>());
        var retrain = new RetrainFunctions(
            _store, pipeline, new NoDispatcher(), Microsoft.Extensions.Options.Options.Create(new CryFunctionsOptions { ModelCacheFolder = _cache }), factory.CreateLogger<RetrainFunctions>());
        var models = new ModelFunctions(predictor, _store, factory.CreateLogger<ModelFunctions>());

        // Upload: a personal label is refused; personal text as audio is refused; a clip is stored under a server name.
        Assert.Equal(400, await Status(await http.UploadClip(Request("POST", Clip(1), "audio/wav").Request, PersonalLabel, Cancel), Request("POST")));
        var textUpload = Request("POST", Encoding.UTF8.GetBytes(PersonalText), "audio/wav");
        Assert.Equal(400, await Status(await http.UploadClip(textUpload.Request, "hungry", Cancel), textUpload));
        var upload = Request("POST", Clip(2), "audio/wav");
        Assert.Equal(201, await Status(await http.UploadClip(upload.Request, "hungry", Cancel), upload));

        // Ingestion of clips written to storage directly, as any storage client can: a personal name, a personal
        // label, personal text as content, a label with a control character.
        await _store.WriteAsync(Containers.Clips, $"hungry/{PersonalName}", Clip(3), cancellation: Cancel);
        await _store.WriteAsync(Containers.Clips, $"tired/{PersonalName}", Clip(4), cancellation: Cancel);
        await _store.WriteAsync(Containers.Clips, $"{PersonalLabel}/{PersonalName}", Clip(5), cancellation: Cancel);
        await _store.WriteAsync(Containers.Clips, "hungry/jane-doe-diary.wav", Encoding.UTF8.GetBytes(PersonalText), cancellation: Cancel);
        foreach (var (label, name) in new[] { ("hungry", PersonalName), ("tired", PersonalName), (PersonalLabel, PersonalName), ("hungry", "jane-doe-diary.wav"), ("hun\u0001gry", PersonalName) })
        {
            foreach (string message in await clips.HandleAsync(label, name, Cancel))
            {
                await clips.ComputeFeatures(JsonSerializer.Deserialize<FeatureWork>(message)!, Cancel);
            }
        }

        await Assert.ThrowsAsync<ArgumentException>(() => clips.ComputeFeatures(new FeatureWork("hun\u0001gry", PersonalName, pipeline.Specs[0].Id, 0), Cancel));

        // Retraining's steps that read the data: the snapshot, and a promotion by hand of an id that is not a model.
        var snapshot = await retrain.RetrainSnapshot(true, Cancel);
        Assert.Equal(2, snapshot.Clips); // the two accepted clips written directly (the upload's trigger is not run here)
        var promote = Request("POST");
        Assert.Equal(404, await Status(await models.PromoteModel(promote.Request, "mother-name-2026", Cancel), promote));

        // Prediction, with personal text as audio and with a clip, once a model serves.
        string bundle = Path.Combine(_cache, "source");
        TinyBundle.Create(pipeline.Labels, "model-1").Write(bundle);
        foreach (string file in Directory.GetFiles(bundle))
        {
            await _store.WriteAsync(Containers.Models, $"model-1/{Path.GetFileName(file)}", await File.ReadAllBytesAsync(file, Cancel), cancellation: Cancel);
        }

        await _store.WriteAsync(Containers.Models, ChampionPointer.Path, JsonSerializer.SerializeToUtf8Bytes(new ChampionPointer("model-1", DateTimeOffset.UtcNow, "test")), cancellation: Cancel);
        var text = Request("POST", Encoding.UTF8.GetBytes(PersonalText), "audio/wav");
        Assert.Equal(400, await Status(await http.Predict(text.Request), text));
        var cry = Request("POST", Clip(6), "audio/wav");
        Assert.Equal(200, await Status(await http.Predict(cry.Request), cry));

        // Erasure by hand, then retention of everything else.
        var erase = Request("DELETE");
        Assert.Equal(200, await Status(await http.EraseClip(erase.Request, "hungry", PersonalName, Cancel), erase));
        var badErase = Request("DELETE");
        Assert.Equal(400, await Status(await http.EraseClip(badErase.Request, "hun\u0001gry", PersonalName, Cancel), badErase));
        Assert.True(await Retention.ApplyAsync(_store, ingestion, 1, DateTimeOffset.UtcNow.AddDays(2), factory.CreateLogger("Retention"), Cancel) >= 3);

        // The run really was logged (quarantines, acceptances, erasures, retention) — and nothing personal is in it.
        var lines = _logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("quarantined (UnknownLabel)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("quarantined (Undecodable)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("accepted:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("erased:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Retention (1 days)", StringComparison.Ordinal));
        Assert.NotEmpty(_metrics);
        foreach (string line in lines.Concat(_metrics))
        {
            foreach (string personal in s_personal)
            {
                Assert.False(line.Contains(personal, StringComparison.OrdinalIgnoreCase), $"'{personal}' reached the telemetry: {line}");
            }
        }
    }

    private sealed class NoDispatcher : Cry.Pipeline.Retraining.ITrainingDispatcher
    {
        public Task DispatchAsync(Cry.Pipeline.Retraining.TrainingJob job, CancellationToken cancellation = default) => Task.CompletedTask;
    }

    /// <summary>Keeps every log line: the formatted message, each structured value, and the exception with its stack.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                owner.Lines.Enqueue($"{category} scope {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = new StringBuilder($"{category} {logLevel} {eventId.Id} {formatter(state, exception)}");
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var value in values)
                    {
                        line.Append(" | ").Append(value.Key).Append('=').Append(value.Value);
                    }
                }

                if (exception is not null)
                {
                    line.Append(" | ").Append(exception);
                }

                owner.Lines.Enqueue(line.ToString());
            }
        }
    }
}
