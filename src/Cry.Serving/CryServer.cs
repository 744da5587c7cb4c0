using Cry.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cry.Serving;

/// <summary>The Kestrel host of <c>cry serve</c>: the API of <see cref="CryApi"/> on the given URLs.</summary>
public static class CryServer
{
    /// <summary>The default listening URL.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Builds the host (not started).</summary>
    /// <param name="predictor">The predictor every request uses (the host does not dispose it).</param>
    /// <param name="options">Body limit and API key.</param>
    /// <param name="urls">Listening URLs, e.g. http://127.0.0.1:5080 or http://0.0.0.0:8080; port 0 picks a free one.</param>
    /// <param name="logLevel">The least severe log level written to the console.</param>
    public static WebApplication Build(Predictor predictor, ServingOptions options, IEnumerable<string> urls, LogLevel logLevel = LogLevel.Warning)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(urls);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.SetMinimumLevel(logLevel);

        // A failed start (a port in use) is thrown to the caller of StartAsync, which says so in one line (cry serve: exit 4);
        // the host's own log of it would print the same failure again as a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes + options.MultipartOverheadBytes;
        });
        builder.Services.AddSingleton(predictor);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new PredictionGate(options));
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        app.UseExceptionHandler(); // A server fault (never a client's input) becomes a problem+json 500 without a stack trace.
        app.UseStatusCodePages(); // 404 and 405 as problem+json too.
        app.MapCryApi();
        return app;
    }
}
