using System.Text.Json;
using System.Text.RegularExpressions;

using Cry.Azure;

using Cry.TestSupport;

namespace CryFunctions.Tests;

/// <summary>The sample settings file and the code agree: every setting read is in the file, explained, and nothing else is.</summary>
public sealed partial class SettingsTests
{
    /// <summary>What the app reads: host settings, the storage connection, every option of <see cref="CryFunctionsOptions"/>, every %setting% in a binding, the trigger switch used locally, and the audio decoder's FFmpeg path.</summary>
    private static SortedSet<string> SettingsTheCodeReads()
    {
        var settings = new SortedSet<string>(StringComparer.Ordinal)
        {
            "AzureWebJobsStorage",
            "FUNCTIONS_WORKER_RUNTIME",
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
            AzureConnections.Storage,
            AzureConnections.ServiceBus,
            "AzureWebJobs.ClipUploadedEventGrid.Disabled",
            "AzureWebJobs.TrainingResultWrittenEventGrid.Disabled",
            Cry.Audio.Decoding.FfmpegOptions.PathVariable, // Read by the audio decoder.
        };
        foreach (var property in typeof(CryFunctionsOptions).GetProperties())
        {
            settings.Add($"{CryFunctionsOptions.Section}__{property.Name}");
        }

        string metadata = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata"));
        foreach (Match match in BindingExpression().Matches(metadata))
        {
            settings.Add(match.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal));
        }

        return settings;
    }

    [GeneratedRegex("%([A-Za-z0-9_:.]+)%")]
    private static partial Regex BindingExpression();

    [Fact]
    public void SampleFile_HasExactlyTheSettingsTheCodeReads_EachExplained()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root(), "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var explained = sample.RootElement.GetProperty("Explanations").EnumerateObject()
            .Where(p => p.Value.GetString()?.Length > 20).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var read = SettingsTheCodeReads();

        Assert.Equal(read, new SortedSet<string>(values, StringComparer.Ordinal));
        Assert.Equal(read, new SortedSet<string>(explained, StringComparer.Ordinal));
        Assert.Equal("UseDevelopmentStorage=true", sample.RootElement.GetProperty("Values").GetProperty("CryStorage").GetString());
    }
}
