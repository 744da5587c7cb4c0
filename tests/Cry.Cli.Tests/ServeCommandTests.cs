using System.Net;
using System.Net.Sockets;
using Cry.TestSupport;

namespace Cry.Cli.Tests;

/// <summary>`cry serve` refusals that happen before it listens (the API itself is tested in Cry.Serving.Tests).</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public ServeCommandTests() => TinyBundle.Create(["hungry", "tired"]).Write(_temp["model"]);

    [Theory]
    [InlineData("--urls", "ftp://127.0.0.1:21")]
    [InlineData("--urls", "not a url")]
    [InlineData("--max-body-mb", "0")]
    [InlineData("--api-key", "short")]
    [InlineData("--device", "tpu")]
    public void BadOptions_AreUsageErrors(string option, string value)
    {
        var (code, _, error) = CliRunner.Run("serve", "--model", _temp["model"], option, value);
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingBundle_IsExit3()
    {
        var (code, _, error) = CliRunner.Run("serve", "--model", _temp["none"], "--urls", "http://127.0.0.1:0");
        Assert.Equal(3, code);
        Assert.Contains("model folder not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PortInUse_IsExit4_SayingSo()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (code, _, error) = CliRunner.Run("serve", "--model", _temp["model"], "--device", "cpu", "--urls", $"http://127.0.0.1:{port}");
        Assert.Equal(4, code);
        Assert.Contains("cannot listen", error, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>`cry train-job` refusals (the job itself runs in the pipeline end-to-end tests).</summary>
public sealed class TrainJobCommandTests
{
    [Theory]
    [InlineData]
    [InlineData("--job", "job.json", "--from-service-bus")]
    public void NeitherOrBothSources_AreUsageErrors(params string[] extra)
    {
        var (code, _, error) = CliRunner.Run(["train-job", "--store", Path.GetTempPath(), .. extra]);
        Assert.Equal(2, code);
        Assert.Contains("exactly one of --job FILE and --from-service-bus", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromServiceBus_WithoutAConnection_SaysWhatToSet()
    {
        Assert.Null(Environment.GetEnvironmentVariable("CryServiceBus"));
        var (code, _, error) = CliRunner.Run("train-job", "--from-service-bus", "--store", Path.GetTempPath());
        Assert.Equal(2, code);
        Assert.Contains("CryServiceBus", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingJobFile_IsExit3()
    {
        var (code, _, error) = CliRunner.Run("train-job", "--job", Path.Combine(Path.GetTempPath(), "no-such-job.json"), "--store", Path.GetTempPath());
        Assert.Equal(3, code);
        Assert.Contains("no-such-job.json", error, StringComparison.Ordinal);
    }
}
