using System.Text.Json;
using Cry.Audio;
using Cry.TestSupport;
using PuppeteerSharp;
using Cry.Audio.Decoding;

namespace Cry.Serving.Tests;

/// <summary>
/// Drives the web page in headless Chromium (Debian's package) over the DevTools protocol with PuppeteerSharp, a managed
/// client that downloads no browser or driver of its own.
/// </summary>
public sealed class WebPageTests
{
    private static readonly WaitForSelectorOptions s_wait = new() { Timeout = 30_000 };

    private static string? Chromium() =>
        new[] { Environment.GetEnvironmentVariable("CRY_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path));

    private static Task<IBrowser> LaunchAsync() => Puppeteer.LaunchAsync(new LaunchOptions
    {
        ExecutablePath = Chromium() ?? throw new InvalidOperationException("no chromium"),
        Headless = true,
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", // Each launch gets a fresh temporary profile.
        ],
    });

    private static async Task<IPage> OpenAsync(IBrowser browser, TestServer server)
    {
        var page = await browser.NewPageAsync();
        await page.GoToAsync(server.BaseAddress.ToString());
        return page;
    }

    private static async Task UploadAsync(IPage page, string file)
    {
        var input = await page.QuerySelectorAsync("#file") ?? throw new InvalidOperationException("the page has no #file input");
        await input.UploadFileAsync(file);
    }

    private static Task<string> TextAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("s => document.querySelector(s)?.textContent ?? ''", selector);

    private static Task<int> CountAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<int>("s => document.querySelectorAll(s).length", selector);

    [Fact]
    public async Task UploadingAWav_ShowsTheBarsOfTheApisAnswer_AndABadFileShowsTheReason()
    {
        if (Chromium() is null)
        {
            Assert.Skip("Chromium is not installed (infra/system-packages.sh --test installs Debian's package); the web-page test needs it.");
        }

        await using var server = await TestServer.StartAsync();
        string folder = Path.Combine(Path.GetTempPath(), "cry-page-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string wav = Path.Combine(folder, "cry.wav");
            byte[] clip = TestServer.Clip(15, seed: 3);
            File.WriteAllBytes(wav, clip);
            string text = Path.Combine(folder, "notes.wav");
            File.WriteAllText(text, "not audio at all");

            // What the API says about the same file.
            using var content = new ByteArrayContent(clip);
            content.Headers.ContentType = new("audio/wav");
            using var apiResponse = await server.Client.PostAsync("/api/predict", content, TestContext.Current.CancellationToken);
            var api = JsonDocument.Parse(await apiResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

            await using (var browser = await LaunchAsync())
            {
                var page = await OpenAsync(browser, server);
                Assert.Contains("Not medical advice", await TextAsync(page, "body"), StringComparison.Ordinal);

                await UploadAsync(page, wav);
                await page.WaitForSelectorAsync("#result:not([hidden])", s_wait);
                var bars = await page.EvaluateExpressionAsync<string[][]>(
                    "[...document.querySelectorAll('.track[data-label]')].map(b => [b.dataset.label, b.dataset.probability])");
                Assert.Equal(TestServer.Labels.Length, bars.Length);
                foreach (string[] bar in bars)
                {
                    double shown = double.Parse(bar[1], System.Globalization.CultureInfo.InvariantCulture);
                    Assert.Equal(api.GetProperty("probabilities").GetProperty(bar[0]).GetDouble(), shown, 6);
                }

                string verdict = await TextAsync(page, "#verdict");
                Assert.Contains(api.GetProperty("label").GetString()!.Replace('_', ' '), verdict, StringComparison.Ordinal);
                Assert.Equal(api.GetProperty("windows").GetArrayLength(), await CountAsync(page, "#timeline .window"));

                await UploadAsync(page, text);
                await page.WaitForSelectorAsync("#status.error", s_wait);
                string status = await TextAsync(page, "#status");
                Assert.Contains("400", status, StringComparison.Ordinal);
                Assert.Contains("plain text", status, StringComparison.Ordinal);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold its profile for a moment; temp leftovers are harmless.
            }
        }
    }

    [Theory]
    [InlineData(-5.0)]
    [InlineData(5.0)]
    public async Task ABundleWithADetector_SaysWhenThereIsNoCry_AndOtherwiseGivesTheSetAndTheCertifiedConfidence(double detectorBias)
    {
        if (Chromium() is null)
        {
            Assert.Skip("Chromium is not installed (infra/system-packages.sh --test installs Debian's package); the web-page test needs it.");
        }

        // A detector with zero weights: every window's cry probability is the logistic of its bias (below or above 0.5).
        await using var server = await TestServer.StartAsync(writeBundle: folder =>
            TinyBundle.Create(TestServer.Labels, "tiny-detector").WriteEnsemble(folder, detectorBias, confidentThreshold: 0.01));
        string folder = Path.Combine(Path.GetTempPath(), "cry-page-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string wav = Path.Combine(folder, "clip.wav");
            byte[] clip = TestServer.Clip(6, seed: 8);
            File.WriteAllBytes(wav, clip);
            using var content = new ByteArrayContent(clip);
            content.Headers.ContentType = new("audio/wav");
            using var apiResponse = await server.Client.PostAsync("/api/predict", content, TestContext.Current.CancellationToken);
            var api = JsonDocument.Parse(await apiResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
            bool cry = detectorBias > 0;
            Assert.Equal(cry, api.GetProperty("cryDetected").GetBoolean());

            await using (var browser = await LaunchAsync())
            {
                var page = await OpenAsync(browser, server);
                await UploadAsync(page, wav);
                await page.WaitForSelectorAsync("#result:not([hidden])", s_wait);
                string verdict = await TextAsync(page, "#verdict");
                Assert.Equal(api.GetProperty("windows").GetArrayLength(), await CountAsync(page, "#timeline .window"));
                if (!cry)
                {
                    Assert.Contains("No infant cry detected", verdict, StringComparison.Ordinal);
                    Assert.Equal(0, await CountAsync(page, ".track[data-label]"));
                    Assert.Equal(api.GetProperty("windows").GetArrayLength(), await CountAsync(page, "#timeline .window.quiet"));
                    return;
                }

                Assert.DoesNotContain("No infant cry", verdict, StringComparison.Ordinal);
                var set = api.GetProperty("labelSet").EnumerateArray().Select(e => e.GetString()!.Replace('_', ' ')).ToList();
                Assert.NotEmpty(set);
                if (set.Count == TestServer.Labels.Length)
                {
                    Assert.Contains("It could be any of the needs", verdict, StringComparison.Ordinal);
                }
                else
                {
                    Assert.Contains("It could be: ", verdict, StringComparison.Ordinal);
                    Assert.All(set, need => Assert.Contains(need, verdict, StringComparison.Ordinal));
                }

                Assert.False(api.GetProperty("uncertain").GetBoolean());
                Assert.Contains("A confident answer: such answers were right at least 85.0 %", verdict, StringComparison.Ordinal);
                Assert.Equal(TestServer.Labels.Length, await CountAsync(page, ".track[data-label] .prior"));
                Assert.Contains("(usually 33.3 %)", await TextAsync(page, "#bars"), StringComparison.Ordinal);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold its profile for a moment; temp leftovers are harmless.
            }
        }
    }

    [Theory]
    [InlineData("Ogg Opus", ".ogg", true, false)]
    [InlineData("FLAC", ".flac", false, true)]
    public async Task UploadingAPhoneFormat_ShowsTheBars_ConvertingInTheBrowserOnlyWhenTheServerLacksFfmpeg(
        string format, string extension, bool serverHasFfmpeg, bool converted)
    {
        if (Chromium() is null)
        {
            Assert.Skip("Chromium is not installed (infra/system-packages.sh --test installs Debian's package); the web-page test needs it.");
        }

        Assert.SkipUnless(FfmpegEncoder.IsAvailable, FfmpegEncoder.Missing);
        byte[] encoded = FfmpegEncoder.Encode(TestServer.Clip(9, seed: 4), extension, format == "FLAC" ? ["-c:a", "flac"] : ["-c:a", "libopus"]);
        using var decoder = new AudioDecoder(new AudioDecoderOptions { Ffmpeg = serverHasFfmpeg ? FfmpegOptions.Default : new FfmpegOptions { ExecutablePath = string.Empty } });
        await using var server = await TestServer.StartAsync(decoder: decoder);
        string folder = Path.Combine(Path.GetTempPath(), "cry-page-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string file = Path.Combine(folder, "memo" + extension);
            File.WriteAllBytes(file, encoded);
            await using (var browser = await LaunchAsync())
            {
                var page = await OpenAsync(browser, server);
                await UploadAsync(page, file);
                await page.WaitForSelectorAsync("#result:not([hidden])", s_wait);
                Assert.Equal(TestServer.Labels.Length, await CountAsync(page, ".track[data-label]"));
                string details = await TextAsync(page, "#details");
                Assert.Equal(converted, details.Contains("converted to WAV in the browser", StringComparison.Ordinal));
                Assert.Contains("9.", details, StringComparison.Ordinal); // The whole recording was read: about 9 s.
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold its profile for a moment; temp leftovers are harmless.
            }
        }
    }
}
