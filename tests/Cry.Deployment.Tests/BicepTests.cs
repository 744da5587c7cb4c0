using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

using Cry.TestSupport;

namespace Cry.Deployment.Tests;

/// <summary>
/// `bicep build` and `bicep lint` of bicep/main.bicep with the CLI from the Azure.Bicep.CommandLine.linux-x64 package,
/// and the promises of the template checked in the compiled ARM JSON.
/// </summary>
public sealed partial class BicepTests
{
    [System.Text.RegularExpressions.GeneratedRegex("'name', '([^']+)'")]
    private static partial System.Text.RegularExpressions.Regex SettingName();

    private static readonly Lazy<(string Json, string Lint)> s_compiled = new(Compile);

    private static string Bicep()
    {
        string package = typeof(BicepTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPackage").Value!;
        string bicep = Path.Combine(package, "tools", "bicep");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(bicep) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return bicep;
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Bicep()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }

    private static (string Json, string Lint) Compile()
    {
        string main = Path.Combine(Repository.Root(), "bicep", "main.bicep");
        var (code, json) = Run("build", main, "--stdout");
        if (code != 0)
        {
            throw new InvalidOperationException($"bicep build failed: {json}");
        }

        var (lintCode, lint) = Run("lint", main);
        return (json, lintCode == 0 ? lint : $"exit {lintCode}: {lint}");
    }

    private static JsonElement Template => JsonDocument.Parse(s_compiled.Value.Json).RootElement;

    /// <summary>Every resource of the template and its modules' templates, flattened.</summary>
    private static List<JsonElement> Resources()
    {
        var all = new List<JsonElement>();
        void Collect(JsonElement template)
        {
            var resources = template.GetProperty("resources");
            var items = resources.ValueKind == JsonValueKind.Object ? resources.EnumerateObject().Select(p => p.Value) : resources.EnumerateArray();
            foreach (var resource in items)
            {
                if (resource.TryGetProperty("existing", out var existing) && existing.GetBoolean())
                {
                    continue; // A reference to a resource declared elsewhere, not a second declaration.
                }

                all.Add(resource);
                if (resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
                {
                    Collect(resource.GetProperty("properties").GetProperty("template"));
                }
            }
        }

        Collect(Template);
        return all;
    }

    private static JsonElement Single(string type) => Resources().Single(r => r.GetProperty("type").GetString() == type);

    [Fact]
    public void BuildsAndLints_WithoutErrorsOrWarnings()
    {
        Assert.False(string.IsNullOrWhiteSpace(s_compiled.Value.Json));
        Assert.Equal(string.Empty, s_compiled.Value.Lint.Trim());
    }

    [Fact]
    public void Storage_HasNoSharedKeys_HttpsOnly_Tls12_NoPublicBlobs_AndVersioning()
    {
        var properties = Single("Microsoft.Storage/storageAccounts").GetProperty("properties");
        Assert.False(properties.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.True(properties.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", properties.GetProperty("minimumTlsVersion").GetString());
        Assert.False(properties.GetProperty("allowBlobPublicAccess").GetBoolean());
        var blob = Single("Microsoft.Storage/storageAccounts/blobServices").GetProperty("properties");
        Assert.True(blob.GetProperty("isVersioningEnabled").GetBoolean());
        Assert.True(blob.GetProperty("deleteRetentionPolicy").GetProperty("enabled").GetBoolean());
        var containers = Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", containers.GetProperty("properties").GetProperty("publicAccess").GetString());
        var storageModule = Resources().Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == "storage");
        var names = storageModule.GetProperty("properties").GetProperty("template").GetProperty("variables").GetProperty("containers").EnumerateArray().Select(e => e.GetString());
        Assert.Equal(["clips", "features", "quarantine", "models", "datasets", "deployments"], names);
    }

    [Fact]
    public void ServiceBus_HasLocalAuthOff_AndTheQueueDeduplicates()
    {
        Assert.True(Single("Microsoft.ServiceBus/namespaces").GetProperty("properties").GetProperty("disableLocalAuth").GetBoolean());
        var queue = Single("Microsoft.ServiceBus/namespaces/queues");
        Assert.Contains("'training-jobs'", queue.GetProperty("name").GetString(), StringComparison.Ordinal);
        var properties = queue.GetProperty("properties");
        Assert.True(properties.GetProperty("requiresDuplicateDetection").GetBoolean());
        Assert.True(properties.GetProperty("deadLetteringOnMessageExpiration").GetBoolean());
        Assert.Equal(3, properties.GetProperty("maxDeliveryCount").GetInt32());
    }

    [Fact]
    public void TrainingJob_IsEventDriven_OnTheGpuProfile_ScaledByServiceBus_WithAnIdentity()
    {
        string environment = Single("Microsoft.App/managedEnvironments").GetRawText();
        Assert.Contains("variables('gpuProfileType')", environment, StringComparison.Ordinal);
        string profile = Template.GetProperty("variables").GetProperty("gpuProfileType").GetString()!;
        Assert.Contains("Consumption-GPU-NC8as-T4", profile, StringComparison.Ordinal); // the default
        Assert.Contains("Consumption-GPU-NC24-A100", profile, StringComparison.Ordinal); // the parameter's other choice
        Assert.Equal("T4", Template.GetProperty("parameters").GetProperty("trainingGpu").GetProperty("defaultValue").GetString());
        var job = Single("Microsoft.App/jobs").GetProperty("properties");
        Assert.Equal("gpu", job.GetProperty("workloadProfileName").GetString());
        var configuration = job.GetProperty("configuration");
        Assert.Equal("Event", configuration.GetProperty("triggerType").GetString());
        var rule = configuration.GetProperty("eventTriggerConfig").GetProperty("scale").GetProperty("rules")[0];
        Assert.Equal("azure-servicebus", rule.GetProperty("type").GetString());
        Assert.Equal("training-jobs", rule.GetProperty("metadata").GetProperty("queueName").GetString());
        Assert.Contains("cry-scaler-", rule.GetProperty("identity").GetString(), StringComparison.Ordinal); // the scaler's own identity
        string container = job.GetProperty("template").GetProperty("containers")[0].GetRawText();
        Assert.Contains("--from-service-bus", container, StringComparison.Ordinal);
        Assert.Contains("CryStorage__blobServiceUri", container, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("functionIdentity", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b")] // Storage Blob Data Owner
    [InlineData("functionIdentity", "974c5e8b-45b9-4653-ba55-5f855dd0fb88")] // Storage Queue Data Contributor
    [InlineData("functionIdentity", "0a9a7e1f-b9d0-4cc4-a60d-0319b160ff3a")] // Storage Table Data Contributor
    [InlineData("functionIdentity", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39")] // Service Bus Data Sender
    [InlineData("jobIdentity", "ba92f5b4-2d11-453d-a403-e96b0029c9fe")] // Storage Blob Data Contributor
    [InlineData("jobIdentity", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0")] // Service Bus Data Receiver
    [InlineData("jobIdentity", "7f951dda-4ed3-4680-a7ca-43fe172d538d")] // AcrPull
    [InlineData("scalerIdentity", "090c5cfd-751d-490a-894a-3ce6f1109419")] // Service Bus Data Owner (KEDA reads the message count)
    public void EachIdentity_HasItsRole(string identity, string role)
    {
        var assignments = Resources().Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments").Select(r => r.GetRawText()).ToList();
        var roles = JsonDocument.Parse(s_compiled.Value.Json).RootElement.GetProperty("variables").GetProperty("roles");
        string roleName = roles.EnumerateObject().Single(p => p.Value.GetString() == role).Name;
        Assert.Contains(assignments, a => a.Contains($"roles').{roleName}", StringComparison.Ordinal) && a.Contains($"'{identity}'", StringComparison.Ordinal));
    }

    [Fact]
    public void NoSecretAnywhere_NotInSettings_NotInOutputs()
    {
        string json = s_compiled.Value.Json;
        Assert.DoesNotContain("listKeys", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey=", json, StringComparison.Ordinal);
        Assert.DoesNotContain("SharedAccessKey", json, StringComparison.Ordinal);
        Assert.DoesNotContain("listSecrets", json, StringComparison.OrdinalIgnoreCase);
        foreach (var output in Template.GetProperty("outputs").EnumerateObject())
        {
            Assert.DoesNotContain("key", output.Name, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("secret", output.Name, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void EverySettingTheFunctionAppReads_IsSetByTheTemplate()
    {
        var site = Single("Microsoft.Web/sites").GetProperty("properties");
        Assert.Equal("dotnet-isolated", site.GetProperty("functionAppConfig").GetProperty("runtime").GetProperty("name").GetString());
        // Bicep inlines the shared settings (they reference runtime values): read the names out of the expression.
        string appSettings = site.GetProperty("siteConfig").GetProperty("appSettings").GetString()!;
        string containerEnv = Single("Microsoft.App/containerApps").GetProperty("properties").GetProperty("template").GetProperty("containers")[0].GetProperty("env").GetString()!;
        Assert.Equal(appSettings, containerEnv); // the same settings when the app runs on Container Apps
        var settings = SettingName().Matches(appSettings).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("variables('triggerSwitches')", appSettings, StringComparison.Ordinal);
        string switches = Template.GetProperty("variables").GetProperty("triggerSwitches").GetString()!; // flex: polling pair off; Container Apps: Event Grid pair off
        Assert.Contains("AzureWebJobs.ClipUploaded.Disabled", switches, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobs.ClipUploadedEventGrid.Disabled", switches, StringComparison.Ordinal);
        settings.Add("AzureWebJobs.ClipUploaded.Disabled");
        settings.Add("AzureWebJobs.TrainingResultWritten.Disabled");
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root(), "local.settings.sample.json")));
        foreach (var setting in sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name))
        {
            bool set = setting switch
            {
                "FUNCTIONS_WORKER_RUNTIME" => true, // Flex sets the runtime in functionAppConfig (checked above), not as a setting.
                "AzureWebJobsStorage" or "CryStorage" or "CryServiceBus" => settings.Any(s => s.StartsWith(setting + "__", StringComparison.Ordinal)),
                _ when setting.StartsWith("AzureWebJobs.", StringComparison.Ordinal) && setting.EndsWith("EventGrid.Disabled", StringComparison.Ordinal) =>
                    settings.Contains(setting.Replace("EventGrid.Disabled", ".Disabled", StringComparison.Ordinal)), // Flex: the polling twin is off
                _ => settings.Contains(setting),
            };
            Assert.True(set, $"{setting} is not set by bicep/main.bicep");
        }

        Assert.Contains("AzureWebJobsStorage__credential", settings);
        Assert.DoesNotContain("AzureWebJobsStorage", settings); // identity-based only, never a connection string
    }
}
