using System.Text.Json;
using Cry.Audio;
using Cry.TestSupport;
using Microsoft.Playwright;
using Cry.Audio.Decoding;

namespace Cry.Serving.Tests;

/// <summary>Drives the web page in headless Chromium (Debian's package; Playwright's own browser download does not work offline).</summary>
public sealed class WebPageTests
{
    private static string? Chromium() =>
        new[] { Environment.GetEnvironmentVariable("CRY_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path));

    private static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        string chromium = Chromium() ?? throw new InvalidOperationException("no chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", // Playwright gives each launch a fresh temporary profile.
            ],
        });
        return (playwright, browser);
    }

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

            var (playwright, browser) = await LaunchAsync();
            using (playwright)
            {
                await using (browser)
                {
                    var page = await browser.NewPageAsync();
                    await page.GotoAsync(server.BaseAddress.ToString());
                    Assert.Contains("Not medical advice", await page.TextContentAsync("body") ?? string.Empty, StringComparison.Ordinal);

                    await page.SetInputFilesAsync("#file", wav);
                    await page.WaitForSelectorAsync("#result:not([hidden])", new() { Timeout = 30_000 });
                    var bars = page.Locator(".track[data-label]");
                    Assert.Equal(TestServer.Labels.Length, await bars.CountAsync());
                    for (int i = 0; i < TestServer.Labels.Length; i++)
                    {
                        var bar = bars.Nth(i);
                        string label = (await bar.GetAttributeAsync("data-label"))!;
                        double shown = double.Parse((await bar.GetAttributeAsync("data-probability"))!, System.Globalization.CultureInfo.InvariantCulture);
                        Assert.Equal(api.GetProperty("probabilities").GetProperty(label).GetDouble(), shown, 6);
                    }

                    string verdict = await page.TextContentAsync("#verdict") ?? string.Empty;
                    Assert.Contains(api.GetProperty("label").GetString()!.Replace('_', ' '), verdict, StringComparison.Ordinal);
                    Assert.Equal(api.GetProperty("windows").GetArrayLength(), await page.Locator("#timeline .window").CountAsync());

                    await page.SetInputFilesAsync("#file", text);
                    await page.WaitForSelectorAsync("#status.error", new() { Timeout = 30_000 });
                    string status = await page.TextContentAsync("#status") ?? string.Empty;
                    Assert.Contains("400", status, StringComparison.Ordinal);
                    Assert.Contains("plain text", status, StringComparison.Ordinal);
                }
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

            var (playwright, browser) = await LaunchAsync();
            using (playwright)
            {
                await using (browser)
                {
                    var page = await browser.NewPageAsync();
                    await page.GotoAsync(server.BaseAddress.ToString());
                    await page.SetInputFilesAsync("#file", wav);
                    await page.WaitForSelectorAsync("#result:not([hidden])", new() { Timeout = 30_000 });
                    string verdict = await page.TextContentAsync("#verdict") ?? string.Empty;
                    Assert.Equal(api.GetProperty("windows").GetArrayLength(), await page.Locator("#timeline .window").CountAsync());
                    if (!cry)
                    {
                        Assert.Contains("No infant cry detected", verdict, StringComparison.Ordinal);
                        Assert.Equal(0, await page.Locator(".track[data-label]").CountAsync());
                        Assert.Equal(api.GetProperty("windows").GetArrayLength(), await page.Locator("#timeline .window.quiet").CountAsync());
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
                    Assert.Equal(TestServer.Labels.Length, await page.Locator(".track[data-label] .prior").CountAsync());
                    Assert.Contains("(usually 33.3 %)", await page.TextContentAsync("#bars") ?? string.Empty, StringComparison.Ordinal);
                }
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
            var (playwright, browser) = await LaunchAsync();
            using (playwright)
            {
                await using (browser)
                {
                    var page = await browser.NewPageAsync();
                    await page.GotoAsync(server.BaseAddress.ToString());
                    await page.SetInputFilesAsync("#file", file);
                    await page.WaitForSelectorAsync("#result:not([hidden])", new() { Timeout = 30_000 });
                    Assert.Equal(TestServer.Labels.Length, await page.Locator(".track[data-label]").CountAsync());
                    string details = await page.TextContentAsync("#details") ?? string.Empty;
                    Assert.Equal(converted, details.Contains("converted to WAV in the browser", StringComparison.Ordinal));
                    Assert.Contains("9.", details, StringComparison.Ordinal); // The whole recording was read: about 9 s.
                }
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
