using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Cry.Audio;
using Cry.TestSupport;
using Cry.Audio.Decoding;

namespace Cry.Serving.Tests;

public sealed class ApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static ByteArrayContent Wav(byte[] bytes, string type = "audio/wav")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        return json;
    }

    [Theory]
    [InlineData("audio/wav")]
    [InlineData("audio/x-wav")]
    [InlineData("application/octet-stream")]
    public async Task Predict_RawWav_GivesTheResult(string type)
    {
        await using var server = await TestServer.StartAsync();
        using var response = await server.Client.PostAsync("/api/predict", Wav(TestServer.Clip(), type), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Contains(json.GetProperty("label").GetString(), TestServer.Labels);
        Assert.Equal("tiny-served", json.GetProperty("modelId").GetString());
        Assert.Equal(TestServer.Labels, json.GetProperty("probabilities").EnumerateObject().Select(p => p.Name));
        Assert.True(json.GetProperty("timingsMs").GetProperty("inference").GetDouble() >= 0);
    }

    [Fact]
    public async Task Predict_Multipart_ReadsTheFileField_AndSaysWhenItIsMissing()
    {
        await using var server = await TestServer.StartAsync();
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new StringContent("a note"), "comment");
            form.Add(Wav(TestServer.Clip(12)), "file", "cry.wav");
            using var response = await server.Client.PostAsync("/api/predict", form, Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
            Assert.True(json.GetProperty("windows").GetArrayLength() > 1);
        }

        using var other = new MultipartFormDataContent { { Wav(TestServer.Clip()), "audio", "cry.wav" } };
        using var missing = await server.Client.PostAsync("/api/predict", other, Cancel);
        var problem = await Problem(missing, HttpStatusCode.BadRequest);
        Assert.Contains("'file'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string> PhoneFormats() => [.. FfmpegEncoder.PhoneFormats.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(PhoneFormats))]
    public async Task Predict_PhoneAndBrowserFormats_GiveTheResult(string format)
    {
        Assert.SkipUnless(FfmpegEncoder.IsAvailable, FfmpegEncoder.Missing);
        var (_, extension, arguments) = FfmpegEncoder.PhoneFormats.Single(f => f.Name == format);
        byte[] encoded = FfmpegEncoder.Encode(TestServer.Clip(), extension, arguments);
        await using var server = await TestServer.StartAsync();
        foreach (string type in (string[])["application/octet-stream", "audio/x-anything"])
        {
            using var response = await server.Client.PostAsync("/api/predict", Wav(encoded, type), Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
            Assert.Contains(json.GetProperty("label").GetString(), TestServer.Labels);
            Assert.InRange(json.GetProperty("durationSeconds").GetDouble(), 6.9, 7.1);
        }

        using var form = new MultipartFormDataContent { { Wav(encoded, "audio/mp4"), "file", "memo" + extension } };
        using var multipart = await server.Client.PostAsync("/api/predict", form, Cancel);
        Assert.Equal(HttpStatusCode.OK, multipart.StatusCode);
    }

    [Fact]
    public async Task Predict_FormatNeedingFfmpegOnAHostWithout_Is415WithItsOwnProblemType()
    {
        Assert.SkipUnless(FfmpegEncoder.IsAvailable, FfmpegEncoder.Missing);
        byte[] m4a = FfmpegEncoder.Encode(TestServer.Clip(), ".m4a", "-c:a", "aac");
        byte[] webm = FfmpegEncoder.Encode(TestServer.Clip(), ".webm", "-c:a", "libopus");
        using var decoder = new AudioDecoder(new AudioDecoderOptions { Ffmpeg = new FfmpegOptions { ExecutablePath = string.Empty } });
        await using var server = await TestServer.StartAsync(decoder: decoder);

        using var response = await server.Client.PostAsync("/api/predict", Wav(m4a, "audio/mp4"), Cancel);
        var problem = await Problem(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(Problems.DecoderUnavailableType, problem.GetProperty("type").GetString());
        Assert.Equal("ffmpeg", problem.GetProperty("missingDecoder").GetString());
        Assert.StartsWith("AAC-LC in an M4A container needs FFmpeg on this host", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var managed = await server.Client.PostAsync("/api/predict", Wav(webm, "audio/webm"), Cancel);
        Assert.Equal(HttpStatusCode.OK, managed.StatusCode); // WebM Opus needs no FFmpeg.
    }

    [Fact]
    public async Task Predict_EveryFfmpegSlotBusy_Is503WithRetryAfter()
    {
        Assert.SkipUnless(FfmpegEncoder.IsAvailable, FfmpegEncoder.Missing);
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("The stand-in decoder is a shell script.");
            return;
        }

        byte[] m4a = FfmpegEncoder.Encode(TestServer.Clip(), ".m4a", "-c:a", "aac");
        var temp = Directory.CreateTempSubdirectory("cry-slow-ffmpeg-");
        string slow = Path.Combine(temp.FullName, "slow-ffmpeg");
        // The stand-in holds its slot until the test lets it go (at most 60 s, within the decoder's 120 s timeout), so no
        // machine is too slow for the race.
        File.WriteAllText(slow, "#!/bin/sh\nn=0\nwhile [ ! -e \"$0.go\" ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done\nexit 1\n");
        File.SetUnixFileMode(slow, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var decoder = new AudioDecoder(new AudioDecoderOptions
        {
            Ffmpeg = new FfmpegOptions { ExecutablePath = slow, MaxConcurrentProcesses = 1, QueueTimeout = TimeSpan.Zero, Timeout = TimeSpan.FromSeconds(120) },
        });
        await using var server = await TestServer.StartAsync(decoder: decoder);
        try
        {
            var first = server.Client.PostAsync("/api/predict", Wav(m4a, "audio/mp4"), Cancel);
            for (int i = 0; i < 1500 && decoder.Ffmpeg.Running == 0; i++)
            {
                await Task.Delay(20, Cancel);
            }

            Assert.Equal(1, decoder.Ffmpeg.Running);
            using var second = await server.Client.PostAsync("/api/predict", Wav(m4a, "audio/mp4"), Cancel);
            await Problem(second, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(Problems.RetryAfterSeconds), second.Headers.RetryAfter?.Delta);
            await File.WriteAllTextAsync(slow + ".go", "", Cancel);
            using var firstResponse = await first;
            await Problem(firstResponse, HttpStatusCode.BadRequest); // The stand-in fails: a refusal with a reason, not a 500.
        }
        finally
        {
            File.WriteAllText(slow + ".go", ""); // Lets the stand-in end even when an assertion failed.
            temp.Delete(recursive: true);
        }
    }

    public static TheoryData<string> Cases() => [.. RobustnessCorpus.Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RobustnessCorpus_GetsItsStatus_NeverA500(string name)
    {
        var (_, bytes, expected) = RobustnessCorpus.Cases.Single(c => c.Name == name);
        await using var server = await TestServer.StartAsync();
        using var response = await server.Client.PostAsync("/api/predict", Wav(bytes), Cancel);
        switch (expected)
        {
            case Expected.Result:
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                break;
            case Expected.BadRequest:
                Assert.False(string.IsNullOrWhiteSpace((await Problem(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()));
                break;
            default:
                Assert.False(string.IsNullOrWhiteSpace((await Problem(response, HttpStatusCode.UnsupportedMediaType)).GetProperty("detail").GetString()));
                break;
        }
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData("image/png")]
    public async Task Predict_OtherMediaTypes_Are415(string type)
    {
        await using var server = await TestServer.StartAsync();
        using var response = await server.Client.PostAsync("/api/predict", Wav(TestServer.Clip(), type), Cancel);
        var problem = await Problem(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains(type, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_NoContentType_Is415()
    {
        await using var server = await TestServer.StartAsync();
        using var response = await server.Client.PostAsync("/api/predict", new ByteArrayContent(TestServer.Clip()), Cancel);
        await Problem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Predict_OverTheLimit_Is413_WithAndWithoutContentLength()
    {
        await using var server = await TestServer.StartAsync(new ServingOptions { MaxBodyBytes = 64 * 1024 });
        byte[] big = TestServer.Clip(10); // 160 KB

        // Content-Length over the limit: refused from the header. A client that asks for 100-continue (as clients
        // should for large uploads) gets the 413 without sending the body.
        using (var declared = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = Wav(big) })
        {
            declared.Headers.ExpectContinue = true;
            using var response = await server.Client.SendAsync(declared, Cancel);
            await Problem(response, HttpStatusCode.RequestEntityTooLarge);
        }

        // Chunked: no Content-Length, so the limit is enforced while reading.
        var chunked = new StreamContent(new MemoryStream(big));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await server.Client.SendAsync(request, Cancel);
        await Problem(chunkedResponse, HttpStatusCode.RequestEntityTooLarge);

        // Within the limit still works.
        using var small = await server.Client.PostAsync("/api/predict", Wav(TestServer.Clip(3)), Cancel);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
    }

    [Fact]
    public async Task Predict_DeclaredOverTheLimit_IsRefusedBeforeTheBodyIsSent()
    {
        await using var server = await TestServer.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port, Cancel);
        var stream = tcp.GetStream();
        string head = $"POST /api/predict HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: audio/wav\r\nContent-Length: 500000000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Cancel);
        await stream.WriteAsync(new byte[1000], Cancel); // 1 KB of the declared 500 MB, then nothing more.

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        int read = await stream.ReadAsync(buffer, timeout.Token);
        string response = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 413", response, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_WhenConfigured_IsRequiredForPredictAndChampion_NotForHealth()
    {
        const string Key = "0123456789abcdef-secret";
        await using var server = await TestServer.StartAsync(new ServingOptions { ApiKey = Key });
        using (var none = await server.Client.PostAsync("/api/predict", Wav(TestServer.Clip()), Cancel))
        {
            var problem = await Problem(none, HttpStatusCode.Unauthorized);
            Assert.Contains("x-functions-key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = Wav(TestServer.Clip()) })
        {
            wrong.Headers.Add("x-functions-key", "0123456789abcdef-wrong!");
            using var response = await server.Client.SendAsync(wrong, Cancel);
            await Problem(response, HttpStatusCode.Unauthorized);
        }

        using (var right = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = Wav(TestServer.Clip()) })
        {
            right.Headers.Add("x-functions-key", Key);
            using var response = await server.Client.SendAsync(right, Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var champion = await server.Client.GetAsync("/api/models/champion", Cancel))
        {
            await Problem(champion, HttpStatusCode.Unauthorized);
        }

        using var health = await server.Client.GetAsync("/api/health", Cancel);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Health_And_Champion_DescribeTheServingModel()
    {
        await using var server = await TestServer.StartAsync();
        var health = JsonDocument.Parse(await server.Client.GetStringAsync("/api/health", Cancel)).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("tiny-served", health.GetProperty("modelId").GetString());
        Assert.Equal("cpu", health.GetProperty("device").GetString());

        var champion = JsonDocument.Parse(await server.Client.GetStringAsync("/api/models/champion", Cancel)).RootElement;
        Assert.Equal("tiny-served", champion.GetProperty("modelId").GetString());
        Assert.Equal(TestServer.Labels, champion.GetProperty("manifest").GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0.25, champion.GetProperty("metrics").GetProperty("macroF1").GetDouble());
    }

    [Fact]
    public async Task OpenApi_IsTheRepositoryDocument_AndDescribesEveryApiRoute()
    {
        await using var server = await TestServer.StartAsync();
        string served = await server.Client.GetStringAsync("/api/openapi.json", Cancel);
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "openapi.json")), served);
        var paths = JsonDocument.Parse(served).RootElement.GetProperty("paths");
        var documented = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}")).Order().ToList();
        Assert.Equal(["GET /api/health", "GET /api/models/champion", "GET /api/openapi.json", "POST /api/predict"], documented);

        // Every documented route answers as documented (no 404/405).
        using var page = await server.Client.GetAsync("/", Cancel);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Not medical advice", await page.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        using var unknown = await server.Client.GetAsync("/api/unknown", Cancel);
        await Problem(unknown, HttpStatusCode.NotFound);
    }

    private static async Task<(TcpClient Tcp, NetworkStream Stream)> OpenAsync(TestServer server, string head, int bodyBytes)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port, Cancel);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Cancel);
        await stream.WriteAsync(new byte[bodyBytes], Cancel);
        await stream.FlushAsync(Cancel);
        return (tcp, stream);
    }

    private static async Task<string> ReadResponseAsync(NetworkStream stream, TimeSpan within)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(within);
        var buffer = new byte[8192];
        int read = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private static string PostHead(TestServer server, long length, string type = "audio/wav") =>
        $"POST /api/predict HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: {type}\r\nContent-Length: {length}\r\n\r\n";

    [Fact]
    public async Task Predict_HugeMultipartBoundary_Is400ProblemJson()
    {
        await using var server = await TestServer.StartAsync();
        string boundary = new('b', 4100);
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nxx\r\n--{boundary}--\r\n"));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        using var response = await server.Client.PostAsync("/api/predict", content, Cancel);
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        string detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("at most 70", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(boundary, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_PartHeaderOverItsLimit_Is400ThatNamesThePartHeaderLimit()
    {
        await using var server = await TestServer.StartAsync();
        using var form = new MultipartFormDataContent("cry-boundary");
        var file = Wav(TestServer.Clip(3));
        file.Headers.TryAddWithoutValidation("X-Padding", new string('p', 20 * 1024));
        form.Add(file, "file", "cry.wav");
        using var response = await server.Client.PostAsync("/api/predict", form, Cancel);
        string detail = (await Problem(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!;
        Assert.Contains("16 KB", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("10,485,760", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/health")]
    [InlineData("/api/openapi.json")]
    [InlineData("/")]
    public async Task Head_IsAllowedOnEveryGetRoute(string route)
    {
        await using var server = await TestServer.StartAsync();
        using var response = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, route), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task Predict_BodyThatStallsNearItsEnd_Is408_AndTheConnectionCloses()
    {
        await using var server = await TestServer.StartAsync(new ServingOptions { BodyStallTimeout = TimeSpan.FromSeconds(1) });
        var (tcp, stream) = await OpenAsync(server, PostHead(server, 2_000_000), 1_900_000); // 95 % of the body, then nothing.
        using (tcp)
        {
            string response = await ReadResponseAsync(stream, TimeSpan.FromSeconds(20));
            Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
            Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
            Assert.Contains("Connection: close", response, StringComparison.OrdinalIgnoreCase);

            // The server closes the connection: a read ends (0 bytes) instead of waiting for more of the body.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            var rest = new byte[8192];
            while (await stream.ReadAsync(rest, timeout.Token) > 0)
            {
            }
        }

        // The slot it held is free again.
        using var next = await server.Client.PostAsync("/api/predict", Wav(TestServer.Clip(3)), Cancel);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Predict_SlowButSteadyBody_IsServed()
    {
        await using var server = await TestServer.StartAsync(new ServingOptions { BodyStallTimeout = TimeSpan.FromSeconds(3) });
        byte[] clip = TestServer.Clip(3);
        var (tcp, stream) = await OpenAsync(server, PostHead(server, clip.Length), 0);
        using (tcp)
        {
            // Each piece arrives well within the stall timeout (a pause of the test machine is no stall); the whole takes longer than it.
            int pieces = 10;
            for (int i = 0; i < pieces; i++)
            {
                int start = i * clip.Length / pieces, end = (i + 1) * clip.Length / pieces;
                await stream.WriteAsync(clip.AsMemory(start, end - start), Cancel);
                await Task.Delay(400, Cancel);
            }

            string response = await ReadResponseAsync(stream, TimeSpan.FromSeconds(30));
            Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BodyDeadline_GivesASlowPhoneUploadOfTheLimitTime()
    {
        var options = new ServingOptions();
        double upload = 9.6e6 / (1e6 / 8); // 9.6 MB at 1 Mbit/s: about 77 s.
        Assert.True(options.BodyDeadline(9_600_000).TotalSeconds > 2 * upload);
        Assert.True(options.BodyDeadline(0) == options.BodyDeadlineGrace);
    }

    [Fact]
    public async Task Predict_ABodyThatDawdles_HoldsNoPredictionSlot_SoOthersAreServed()
    {
        await using var server = await TestServer.StartAsync(new ServingOptions { MaxConcurrentPredictions = 1, BodyStallTimeout = TimeSpan.FromSeconds(30) });
        var (tcp, _) = await OpenAsync(server, PostHead(server, 100_000), 1_000); // Its body dawdles: it holds bytes, not the slot.
        using (tcp)
        {
            for (int i = 0; i < 5; i++)
            {
                using var response = await server.Client.PostAsync("/api/predict", Wav(TestServer.Clip(3)), Cancel);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
    }

    [Fact]
    public async Task Gate_BoundsBytesAndSlots_AlwaysAdmitsOneRequest_AndWaitsForASlotOnlyAsLongAsAllowed()
    {
        var gate = new PredictionGate(new ServingOptions
        {
            MaxConcurrentPredictions = 2, MaxBodyBytes = 1024 * 1024, MaxBufferedBodyBytes = 2 * 1024 * 1024, PredictionQueueWait = TimeSpan.FromMilliseconds(200),
        });
        Assert.True(gate.TryEnter(1_500_000, out var first, out _));
        Assert.False(gate.TryEnter(1_000_000, out var none, out string? reason)); // 2.5 MB > 2 MB in flight.
        Assert.Null(none);
        Assert.Contains("MB", reason, StringComparison.Ordinal);
        Assert.True(gate.TryEnter(500_000, out var second, out _));
        Assert.True(gate.TryEnter(0, out var third, out _)); // Reading bodies take no slot: three in flight, two slots.
        Assert.Equal(3, gate.InFlight);

        Assert.Null(await first!.TakeSlotAsync(Cancel));
        Assert.Null(await first.TakeSlotAsync(Cancel)); // Taken once, held once.
        Assert.Null(await second!.TakeSlotAsync(Cancel));
        Assert.Equal(2, gate.Working);
        reason = await third!.TakeSlotAsync(Cancel); // Both slots busy: refused after the queue wait.
        Assert.Contains("2 prediction slots stayed in use for 0.2 s", reason, StringComparison.Ordinal);

        first.Dispose();
        first.Dispose(); // Twice gives back once.
        Assert.Equal(2, gate.InFlight);
        Assert.Equal(500_000, gate.ReservedBytes);
        Assert.Equal(1, gate.Working);
        second.Dispose();
        third.Dispose();
        Assert.Equal(0, gate.Working);
        Assert.True(gate.TryEnter(50_000_000, out var alone, out _)); // Alone, any size (the body limit bounds it).
        alone!.Dispose();
        Assert.Equal(0, gate.InFlight);
    }

    [Fact]
    public async Task Gate_ASlotGivenBackWithinTheWait_IsTaken()
    {
        // A long wait, so that only a slot never given back could make this fail, not a slow machine.
        var gate = new PredictionGate(new ServingOptions { MaxConcurrentPredictions = 1, PredictionQueueWait = TimeSpan.FromSeconds(60) });
        Assert.True(gate.TryEnter(0, out var first, out _));
        Assert.True(gate.TryEnter(0, out var second, out _));
        Assert.Null(await first!.TakeSlotAsync(Cancel));
        var waiting = second!.TakeSlotAsync(Cancel);
        Assert.False(waiting.IsCompleted);
        first.Dispose();
        Assert.Null(await waiting);
        Assert.Equal(1, gate.Working);
        second.Dispose();
        Assert.Equal(0, gate.Working);
    }
}
