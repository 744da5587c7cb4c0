using System.CommandLine;
using Cry.Inference;
using Cry.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cry.Cli.Commands;

/// <summary><c>cry serve</c>: the HTTP API and web page on Kestrel, with the same request handling as the Functions app.</summary>
internal static class ServeCommand
{
    /// <summary>The environment variable read for the API key when --api-key is not given (keeps it out of the process list).</summary>
    public const string ApiKeyVariable = "CRY_API_KEY";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "The model bundle folder; a new bundle written there is picked up without a restart.", Required = true };
        var urls = new Option<string>("--urls") { Description = "Listening http URLs whose host is an IP address or localhost, separated by ';' (0.0.0.0: every interface; port 0 picks a free port).", DefaultValueFactory = _ => CryServer.DefaultUrl };
        var apiKey = new Option<string?>("--api-key") { Description = $"Require this key in the '{ServingOptions.KeyHeader}' header for predict and champion (default: ${ApiKeyVariable}, else none)." };
        var maxBody = new Option<double>("--max-body-mb") { Description = "The largest audio body accepted, in MB; larger requests get 413 before their body is read.", DefaultValueFactory = _ => 10 };
        var defaults = new ServingOptions();
        var inFlight = new Option<int>("--max-in-flight")
        {
            Description = "Predictions decoded and scored at once; a request whose body has arrived waits up to 2 s for one, then gets 503 with Retry-After.",
            DefaultValueFactory = _ => defaults.MaxConcurrentPredictions,
        };
        var buffered = new Option<double>("--max-buffered-mb") { Description = "MB of request bodies the requests in flight (reading or scored) may hold together; beyond it 503 before the body is read.", DefaultValueFactory = _ => defaults.MaxBufferedBodyBytes / (1024.0 * 1024.0) };
        var stall = new Option<double>("--body-stall-seconds") { Description = "End a request whose body makes no progress for this long (408).", DefaultValueFactory = _ => defaults.BodyStallTimeout.TotalSeconds };
        var device = new Option<string>("--device") { Description = "auto (CUDA when ONNX Runtime can use it, else the CPU), cpu or cuda.", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong([.. InferenceOptions.Devices]);
        var threads = new Option<int>("--threads") { Description = "Threads per inference (requests run in parallel on top of this).", DefaultValueFactory = _ => 1 };
        var command = new Command("serve", "Serve POST /api/predict, GET /api/health, GET /api/models/champion, GET /api/openapi.json and a web page at / (Ctrl+C stops).")
        {
            model, urls, apiKey, maxBody, inFlight, buffered, stall, device, threads,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var (inference, serving) = Settings(
                parse.GetValue(device)!,
                parse.GetValue(threads),
                parse.GetValue(apiKey),
                parse.GetValue(maxBody),
                parse.GetValue(inFlight),
                parse.GetValue(buffered),
                parse.GetValue(stall));
            string[] addresses = Addresses(parse.GetValue(urls)!);
            using var predictor = Predictor.FromFolder(parse.GetValue(model)!, inference, message => error.WriteLine($"cry: {message}"));
            await ServeAsync(predictor, serving, addresses, output, cancellation);
            return ExitCodes.Success;
        });
        return command;
    }

    // The options checked here, so a bad value is a usage error (exit 2) that names it.
    private static (InferenceOptions Inference, ServingOptions Serving) Settings(
        string device, int threads, string? apiKey, double megabytes, int inFlight, double bufferedMegabytes, double stallSeconds)
    {
        if (!(megabytes > 0) || megabytes > 1024)
        {
            throw new UsageException($"--max-body-mb must be in (0, 1024], not {megabytes}.");
        }

        if (!(stallSeconds > 0 && stallSeconds < 3600))
        {
            throw new UsageException($"--body-stall-seconds must be in (0, 3600), not {stallSeconds}.");
        }

        var inference = new InferenceOptions { Device = device, Threads = threads };
        var serving = new ServingOptions
        {
            ApiKey = apiKey ?? NullIfEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)),
            MaxBodyBytes = (long)(megabytes * 1024 * 1024),
            MaxConcurrentPredictions = inFlight,
            MaxBufferedBodyBytes = (long)(bufferedMegabytes * 1024 * 1024),
            BodyStallTimeout = TimeSpan.FromSeconds(stallSeconds),
        };
        try
        {
            inference.Validate();
            serving.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }

        return (inference, serving);
    }

    // Kestrel takes any host name as "every interface" and fails late, as an internal error, on https without a certificate,
    // a path or localhost:0; each is said here, before the model loads.
    private static string[] Addresses(string urls)
    {
        string[] addresses = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (addresses.Length == 0)
        {
            throw new UsageException($"--urls names no URL; give one such as {CryServer.DefaultUrl}.");
        }

        foreach (string address in addresses)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--urls: '{address}' is not an http URL such as {CryServer.DefaultUrl}.");
            }

            string? problem = uri switch
            {
                { Scheme: "https" } => "cry serve speaks plain HTTP; put a reverse proxy that terminates TLS in front of it (the API key travels in a header)",
                { HostNameType: not (UriHostNameType.IPv4 or UriHostNameType.IPv6) } and { IsLoopback: false } =>
                    "the host must be an IP address or localhost (0.0.0.0 listens on every interface)",
                { IsLoopback: true, HostNameType: UriHostNameType.Dns, Port: 0 } => "port 0 needs an IP address: use 127.0.0.1:0",
                _ when uri.AbsolutePath != "/" || uri.Query.Length > 0 => "a listening URL has no path",
                _ => null,
            };
            if (problem is not null)
            {
                throw new UsageException($"--urls: '{address}': {problem}.");
            }
        }

        return addresses;
    }

    // Starts Kestrel, says what serves where, and runs until Ctrl+C.
    private static async Task ServeAsync(Predictor predictor, ServingOptions serving, string[] addresses, TextWriter output, CancellationToken cancellation)
    {
        await using var app = CryServer.Build(predictor, serving, addresses);
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            // In use (IOException), or an address this machine does not have (SocketException).
            throw new ResourceUnavailableException($"cannot listen on {string.Join(", ", addresses)}: {ex.Message}", ex);
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? addresses;
        using (var lease = predictor.AcquireModel())
        {
            output.WriteLine(
                $"cry: serving {lease.Model.Manifest.ModelId} ({lease.Model.Device}) on {string.Join(", ", bound)}; " +
                $"{(serving.ApiKey is null ? "no API key required" : $"API key required in {ServingOptions.KeyHeader}")}; Ctrl+C stops.");
        }

        try
        {
            await app.WaitForShutdownAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: a normal stop.
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
