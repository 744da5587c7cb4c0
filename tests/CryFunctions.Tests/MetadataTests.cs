using System.Text.Json;

namespace CryFunctions.Tests;

/// <summary>Every function's bindings as the generated functions.metadata gives them to the host.</summary>
public sealed class MetadataTests
{
    private static readonly JsonElement[] s_functions =
        [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata"))).RootElement.EnumerateArray()];

    private static JsonElement Trigger(string function) =>
        s_functions.Single(f => f.GetProperty("name").GetString() == function)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static string? Get(JsonElement binding, string name) =>
        binding.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    [Fact]
    public void TheAppHasExactlyTheseFunctions() =>
        Assert.Equal(
            [
                "ApplyRetention", "Champion", "ClipUploaded", "ClipUploadedEventGrid", "ComputeFeatures", "EraseClip", "Health", "ListModels", "Predict",
                "PromoteModel", "RetrainDispatch", "RetrainEvaluate", "RetrainOrchestrator", "RetrainSnapshot", "RetrainStatus",
                "ScheduledRetrain", "StartRetrain", "TrainingResultWritten", "TrainingResultWrittenEventGrid", "UploadClip",
            ],
            s_functions.Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("ClipUploaded", null)]
    [InlineData("ClipUploadedEventGrid", "EventGrid")]
    public void ClipTriggers_WatchClips_WithTheirSource(string function, string? source)
    {
        var trigger = Trigger(function);
        Assert.Equal("blobTrigger", Get(trigger, "type"));
        Assert.Equal("clips/{label}/{name}", Get(trigger, "path"));
        Assert.Equal("CryStorage", Get(trigger, "connection"));
        Assert.Equal(source, Get(trigger, "source"));
        var output = s_functions.Single(f => f.GetProperty("name").GetString() == function).GetProperty("bindings").EnumerateArray().Single(b => Get(b, "direction") == "Out");
        Assert.Equal("queue", Get(output, "type"));
        Assert.Equal("feature-work", Get(output, "queueName"));
    }

    [Fact]
    public void Retraining_IsAnOrchestrationWithActivities_FedByTheResultBlobAndTheSchedule()
    {
        Assert.Equal("orchestrationTrigger", Get(Trigger("RetrainOrchestrator"), "type"));
        foreach (string activity in new[] { "RetrainSnapshot", "RetrainDispatch", "RetrainEvaluate" })
        {
            Assert.Equal("activityTrigger", Get(Trigger(activity), "type"));
        }

        var result = Trigger("TrainingResultWritten");
        Assert.Equal("blobTrigger", Get(result, "type"));
        Assert.Equal("models/{runId}/result.json", Get(result, "path"));
        Assert.Equal("CryStorage", Get(result, "connection"));

        var eventGrid = Trigger("TrainingResultWrittenEventGrid");
        Assert.Equal("models/{runId}/result.json", Get(eventGrid, "path"));
        Assert.Equal("EventGrid", Get(eventGrid, "source"));

        var timer = Trigger("ScheduledRetrain");
        Assert.Equal("timerTrigger", Get(timer, "type"));
        Assert.Equal("%Cry:RetrainSchedule%", Get(timer, "schedule"));
    }

    [Fact]
    public void ComputeFeatures_ReadsTheWorkQueue()
    {
        var trigger = Trigger("ComputeFeatures");
        Assert.Equal("queueTrigger", Get(trigger, "type"));
        Assert.Equal("feature-work", Get(trigger, "queueName"));
        Assert.Equal("CryStorage", Get(trigger, "connection"));
    }

    [Theory]
    [InlineData("Predict", "post", "predict", "Function")]
    [InlineData("Health", "get", "health", "Anonymous")]
    [InlineData("Champion", "get", "models/champion", "Function")]
    [InlineData("UploadClip", "post", "clips/{label}", "Function")]
    [InlineData("EraseClip", "delete", "clips/{label}/{name}", "Admin")]
    [InlineData("StartRetrain", "post", "retrain", "Admin")]
    [InlineData("RetrainStatus", "get", "retrain/{id}", "Admin")]
    [InlineData("ListModels", "get", "models", "Admin")]
    [InlineData("PromoteModel", "post", "models/{id}/promote", "Admin")]
    public void HttpFunctions_HaveTheirRouteMethodAndKeyLevel(string function, string method, string route, string authLevel)
    {
        var trigger = Trigger(function);
        Assert.Equal("httpTrigger", Get(trigger, "type"));
        Assert.Equal(route, Get(trigger, "route"));
        Assert.Equal(authLevel, Get(trigger, "authLevel"));
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }
}
