using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cry.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cry.Serving;

/// <summary>The endpoints of the HTTP API, and the documents they serve.</summary>
public static class CryApi
{
    private static DateTimeOffset s_started = DateTimeOffset.UtcNow;

    /// <summary>The OpenAPI description of the API (also in the repository as src/Cry.Serving/openapi.json).</summary>
    public static string OpenApiJson { get; } = Resource("Cry.Serving.openapi.json");

    /// <summary>The web page served at <c>/</c>.</summary>
    public static string IndexHtml { get; } = Resource("Cry.Serving.index.html");

    /// <summary>
    /// Maps <c>GET /</c> (the page), <c>POST /api/predict</c>, <c>GET /api/health</c>, <c>GET /api/models/champion</c>
    /// and <c>GET /api/openapi.json</c> (each GET also as HEAD). The predictor, <see cref="ServingOptions"/> and
    /// <see cref="PredictionGate"/> come from the service container.
    /// </summary>
    public static IEndpointRouteBuilder MapCryApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        s_started = DateTimeOffset.UtcNow;
        // Every GET route answers HEAD too (health checks use it); the server sends the headers without the body.
        string[] get = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/", get, () => Results.Content(IndexHtml, "text/html; charset=utf-8"));
        app.MapPost("/api/predict", (HttpRequest request, Predictor predictor, ServingOptions options, PredictionGate gate) =>
                PredictHandler.HandleAsync(request, predictor, options, gate))
            .DisableAntiforgery();
        app.MapMethods("/api/health", get, (Predictor predictor) => Health(predictor));
        app.MapMethods("/api/models/champion", get, (HttpRequest request, Predictor predictor, ServingOptions options) =>
            PredictHandler.IsAuthorized(request, options) ? Champion(predictor) : Problems.Unauthorized());
        app.MapMethods("/api/openapi.json", get, () => Results.Content(OpenApiJson, "application/json"));
        return app;
    }

    /// <summary>GET /api/health: status, the serving model's id and device, uptime.</summary>
    public static IResult Health(Predictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        using var lease = predictor.AcquireModel();
        return Results.Json(new
        {
            status = "ok",
            modelId = lease.Model.Manifest.ModelId,
            device = lease.Model.Device,
            uptimeSeconds = Math.Round((DateTimeOffset.UtcNow - s_started).TotalSeconds, 1),
        });
    }

    /// <summary>GET /api/models/champion: the serving bundle's manifest and metrics.</summary>
    public static IResult Champion(Predictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        using var lease = predictor.AcquireModel();
        var model = lease.Model;
        var body = new JsonObject
        {
            ["modelId"] = model.Manifest.ModelId,
            ["manifest"] = JsonNode.Parse(model.Manifest.ToJson()),
            ["metrics"] = model.MetricsJson is { } metrics ? JsonNode.Parse(metrics) : null,
        };
        return Results.Content(body.ToJsonString(new JsonSerializerOptions { WriteIndented = false }), "application/json");
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
