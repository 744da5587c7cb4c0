using Cry.Audio;
using Cry.Inference;
using Cry.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Serving.Tests;

/// <summary>The real `cry serve` host (Kestrel on a free loopback port) over a tiny bundle.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public static readonly string[] Labels = ["belly_pain", "hungry", "tired"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cry-serve-" + Guid.NewGuid().ToString("N"));
    private readonly Predictor _predictor;
    private readonly WebApplication _app;

    private TestServer(ServingOptions options, AudioDecoder? decoder, Action<string>? writeBundle)
    {
        (writeBundle ?? (folder => TinyBundle.Create(Labels, "tiny-served").Write(folder)))(_folder);
        File.WriteAllText(Path.Combine(_folder, "metrics.json"), """{"macroF1":0.25,"accuracy":0.5}""");
        var inference = new InferenceOptions { Device = "cpu" };
        _predictor = new Predictor(new HotSwapModelSource(_folder, inference), inference, decoder);
        _app = CryServer.Build(_predictor, options, ["http://127.0.0.1:0"]);
    }

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Starts the host over a tiny format-1 bundle, or over what <paramref name="writeBundle"/> writes into the bundle folder.</summary>
    public static async Task<TestServer> StartAsync(ServingOptions? options = null, AudioDecoder? decoder = null, Action<string>? writeBundle = null)
    {
        var server = new TestServer(options ?? new ServingOptions(), decoder, writeBundle);
        await server._app.StartAsync();
        string address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        server.Client.BaseAddress = server.BaseAddress;
        return server;
    }

    public static byte[] Clip(double seconds = 7.0, ulong seed = 1)
    {
        var clip = SyntheticCry.Generate(8000, seconds, seed);
        return WavEncoder.Encode(clip.Samples, clip.SampleRate);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _predictor.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless.
        }
    }
}
