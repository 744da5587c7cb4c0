using Cry.Audio;
using System.Net;
using System.Net.Sockets;
using Cry.TestSupport;
using Cry.Audio.Wav;

namespace Cry.Cli.Tests;

/// <summary>`cry serve` refusals that happen before it listens (the API itself is tested in Cry.Serving.Tests).</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public ServeCommandTests() => TinyBundle.Create(["hungry", "tired"]).Write(_temp["model"]);

    [Theory]
    [InlineData("--urls", "ftp://127.0.0.1:21", "not an http URL")]
    [InlineData("--urls", "not a url", "not an http URL")]
    [InlineData("--urls", " ; ", "names no URL")]
    [InlineData("--urls", "https://127.0.0.1:5443", "plain HTTP")]
    [InlineData("--urls", "http://example.invalid:5080", "IP address or localhost")] // Kestrel would listen on every interface.
    [InlineData("--urls", "http://127.0.0.1:5080;http://256.1.1.1:80", "IP address or localhost")]
    [InlineData("--urls", "http://localhost:0", "127.0.0.1:0")]
    [InlineData("--urls", "http://127.0.0.1:5080/api", "no path")]
    [InlineData("--max-body-mb", "0", "--max-body-mb")]
    [InlineData("--api-key", "short", "at least 16 characters")]
    [InlineData("--device", "tpu", "tpu")]
    public void BadOptions_AreUsageErrors(string option, string value, string saying)
    {
        var (code, _, error) = CliRunner.Run("serve", "--model", _temp["model"], option, value);
        Assert.Equal(2, code);
        Assert.Contains(saying, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:5080;http://[::1]:0")]
    [InlineData("http://0.0.0.0:0")]
    public void LoopbackNamesAndAddresses_AreAccepted(string urls)
    {
        // The URLs are checked before the model is read: accepted ones get as far as the absent model (exit 3).
        var (code, _, error) = CliRunner.Run("serve", "--model", _temp["none"], "--urls", urls);
        Assert.True(code == 3, error);
    }

    [Fact]
    public void AnAddressThisMachineDoesNotHave_IsExit4_SayingSo()
    {
        // 192.0.2.1 (TEST-NET-1, reserved for documentation) is on no machine; where Linux lets any address be bound, the server
        // would listen and never end.
        const string NonLocalBind = "/proc/sys/net/ipv4/ip_nonlocal_bind";
        Assert.SkipWhen(File.Exists(NonLocalBind) && File.ReadAllText(NonLocalBind).Trim() != "0", "this machine lets any address be bound (ip_nonlocal_bind)");
        Assert.SkipUnless(OperatingSystem.IsLinux(), "whether an absent address can be bound is checked on Linux only");
        var (code, _, error) = CliRunner.Run("serve", "--model", _temp["model"], "--device", "cpu", "--urls", "http://192.0.2.1:0");
        Assert.Equal(4, code);
        Assert.Contains("cannot listen on http://192.0.2.1:0", error, StringComparison.Ordinal);
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
        var (code, output, error) = CliRunner.RunProcess("serve", "--model", _temp["model"], "--device", "cpu", "--urls", $"http://127.0.0.1:{port}");
        Assert.Equal(4, code);
        Assert.Contains("cannot listen", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output + error, StringComparison.Ordinal); // One line, no stack trace from the host's log.
    }

    [Fact]
    public async Task ARecordingThatDoesNotFitTheHeap_Is503WithRetryAfter_AndTheServerGoesOn()
    {
        // A heap limit far below what a 600 s recording needs (containers set one: 75 % of their memory).
        // Port 0: the server picks a free port itself and says which, so no other test can take it in between.
        string dotnet = Environment.GetEnvironmentVariable("DOTNET") is { Length: > 0 } d ? d : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "cry.dll"), "serve", "--model", _temp["model"], "--device", "cpu", "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_GCHeapHardLimit"] = "0x3000000"; // 48 MB
        using var server = System.Diagnostics.Process.Start(start)!;
        var serverError = server.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            string? serving;
            using (var startup = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            {
                do
                {
                    serving = await server.StandardOutput.ReadLineAsync(startup.Token);
                }
                while (serving is not null && !serving.StartsWith("cry: serving ", StringComparison.Ordinal));
            }

            if (serving is null)
            {
                Assert.Fail("cry serve did not start under the heap limit: " + await serverError);
            }

            _ = server.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            string url = System.Text.RegularExpressions.Regex.Match(serving, @"on (http://127\.0\.0\.1:\d+)").Groups[1].Value;
            using var client = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(120) };
            byte[] longest = WavEncoder.Encode(SyntheticCry.Generate(8000, 600, 1).Samples, 8000); // 9.6 MB, under the body limit
            for (int i = 0; i < 2; i++)
            {
                using var content = new ByteArrayContent(longest);
                content.Headers.ContentType = new("audio/wav");
                using var response = await client.PostAsync("api/predict", content, TestContext.Current.CancellationToken);
                string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
                Assert.Contains("ran short of memory", body, StringComparison.Ordinal);
                Assert.NotNull(response.Headers.RetryAfter);
            }

            using var shortClip = new ByteArrayContent(WavEncoder.Encode(SyntheticCry.Generate(8000, 3, 2).Samples, 8000));
            shortClip.Headers.ContentType = new("audio/wav");
            using var served = await client.PostAsync("api/predict", shortClip, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.DoesNotContain("   at ", await serverError, StringComparison.Ordinal);
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
