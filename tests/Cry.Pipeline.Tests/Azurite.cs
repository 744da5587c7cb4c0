using System.Diagnostics;
using Azure.Storage.Blobs;



using Cry.TestSupport;

namespace Cry.Pipeline.Tests;

/// <summary>
/// The storage emulator for the whole test assembly: the one `./test.sh` started (CRY_AZURITE_CONNECTION), else one
/// started here with infra/azurite.sh and stopped at the end.
/// </summary>
public sealed class Azurite : IAsyncLifetime
{
    public const string Variable = "CRY_AZURITE_CONNECTION";

    private string? _folder;

    public string ConnectionString { get; private set; } = string.Empty;

    public BlobServiceClient Service() => new(ConnectionString);

    public async ValueTask InitializeAsync()
    {
        string? given = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(given))
        {
            ConnectionString = given;
            return;
        }

        string script = Path.Combine(Repository.Root(), "infra", "azurite.sh");
        _folder = Path.Combine(Path.GetTempPath(), "cry-azurite-" + Guid.NewGuid().ToString("N"));
        await Run(script, "start", _folder);
        ConnectionString = (await File.ReadAllTextAsync(Path.Combine(_folder, "connection-string"))).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            await Run(Path.Combine(Repository.Root(), "infra", "azurite.sh"), "stop", _folder);
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task Run(string script, string verb, string folder)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [script, verb, folder]) { RedirectStandardError = true })!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/azurite.sh {verb} failed ({process.ExitCode}): {error}");
        }
    }
}
