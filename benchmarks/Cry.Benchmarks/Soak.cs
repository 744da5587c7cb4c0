using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cry.Audio;
using Cry.TestSupport;
using Cry.Audio.Wav;

namespace Cry.Benchmarks;

/// <summary>
/// The soak client of <c>benchmarks/soak.sh</c>: for a fixed time, workers post a mix of valid clips, malformed
/// bodies, bodies that stall near their end and maximum-size clips to <c>/api/predict</c>, and it prints per kind the
/// requests, status codes, transport errors and the slowest answer (for a stalled body: how long until the server
/// closed it). A phase first sends rounds of 8 concurrent maximum-size clips, the memory bound of the serving issue.
/// </summary>
/// <remarks>
/// Stalled bodies are written on raw sockets (no HTTP client lets a body stop half-way); everything else goes through
/// <see cref="HttpClient"/>. The server's memory is sampled by the script, which knows its process.
/// </remarks>
internal static class Soak
{
    private enum Kind
    {
        Valid,
        Malformed,
        Stalled,
        MaximumSize,
    }

    private sealed class Tally
    {
        public ConcurrentDictionary<string, int> Statuses { get; } = new();

        public long SlowestMs;

        public void Add(string status, long ms)
        {
            Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            long seen;
            while (ms > (seen = Interlocked.Read(ref SlowestMs)) && Interlocked.CompareExchange(ref SlowestMs, ms, seen) != seen)
            {
            }
        }

        public int Total => Statuses.Values.Sum();
    }

    /// <summary>Runs the soak; returns 0 when no answer was a 5xx other than 503 and every stalled body was closed within 30 s.</summary>
    public static async Task<int> RunAsync(Uri server, TimeSpan duration, int workers, int maximumSizeRounds)
    {
        byte[] valid = WavEncoder.Encode(SyntheticCry.Generate(8000, 7, 1).Samples, 8000);
        byte[] maximum = WavEncoder.Encode(SyntheticCry.Generate(8000, 600, 2).Samples, 8000); // 9.6 MB, under the 10 MB limit
        byte[][] malformed =
        [
            Encoding.UTF8.GetBytes("this is not audio"),
            valid[..(valid.Length / 3)][..44], // a header and no samples
            [.. "RIFF"u8, .. new byte[40]],
            [.. "OggS\0\x02"u8, .. new byte[60]],
            [.. "\0\0\0\x20ftypM4A "u8, .. new byte[200]],
        ];
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(120) };
        var tallies = Enum.GetValues<Kind>().ToDictionary(k => k, _ => new Tally());

        // Phase 1: rounds of 8 concurrent maximum-size clips (answers are 200, or 503 beyond the server's bound).
        var burst = new Tally();
        for (int round = 0; round < maximumSizeRounds; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(http, maximum, "audio/wav", burst)));
        }

        Console.WriteLine($"8 concurrent maximum-size clips ({maximum.Length:N0} bytes), {maximumSizeRounds} rounds: {Describe(burst)}");
        Console.WriteLine("phase-1-done");

        // Phase 2: the mix, for the duration.
        var end = DateTime.UtcNow + duration;
        long served = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w + 1);
            while (DateTime.UtcNow < end)
            {
                int pick = random.Next(100);
                var kind = pick < 60 ? Kind.Valid : pick < 85 ? Kind.Malformed : pick < 95 ? Kind.Stalled : Kind.MaximumSize;
                switch (kind)
                {
                    case Kind.Valid:
                        await PostAsync(http, valid, "audio/wav", tallies[kind]);
                        break;
                    case Kind.Malformed when random.Next(4) == 0:
                        // Malformed multipart: an over-long boundary, or a body that never closes its part.
                        string boundary = random.Next(2) == 0 ? new string('b', 5000) : "soak";
                        await PostAsync(http, Encoding.ASCII.GetBytes($"--soak\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"), $"multipart/form-data; boundary={boundary}", tallies[kind]);
                        break;
                    case Kind.Malformed:
                        await PostAsync(http, malformed[random.Next(malformed.Length)], "audio/wav", tallies[kind]);
                        break;
                    case Kind.Stalled:
                        await StallAsync(server, random.Next(2) == 0 ? valid : maximum, tallies[kind]);
                        break;
                    case Kind.MaximumSize:
                        await PostAsync(http, maximum, "audio/wav", tallies[kind]);
                        break;
                }

                Interlocked.Increment(ref served);
            }
        })));

        Console.WriteLine($"mix for {duration.TotalSeconds:0} s with {workers} workers: {served:N0} requests");
        foreach (var (kind, tally) in tallies)
        {
            Console.WriteLine($"  {kind,-12} {Describe(tally)}");
        }

        var all = tallies.Values.Append(burst).ToList();
        bool no500 = all.All(t => t.Statuses.Keys.All(s => !s.StartsWith('5') || s == "503"));
        bool stallsClosed = tallies[Kind.Stalled].SlowestMs <= 30_000;
        Console.WriteLine($"no 5xx but 503: {no500}; every stalled body closed within 30 s: {stallsClosed}");
        return no500 && stallsClosed ? 0 : 1;
    }

    private static string Describe(Tally tally) =>
        $"{tally.Total:N0} requests, " + string.Join(", ", tally.Statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value:N0} × {s.Key}"))
        + $"; slowest {tally.SlowestMs / 1000.0:0.0} s";

    private static async Task PostAsync(HttpClient http, byte[] body, string contentType, Tally tally)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var response = await http.PostAsync("api/predict", content);
            await response.Content.ReadAsByteArrayAsync();
            tally.Add(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), watch.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            tally.Add("transport error", watch.ElapsedMilliseconds);
        }
    }

    /// <summary>Declares the whole body, sends all but its last 1 % quickly, then stops; records the status line and when the server ended it.</summary>
    private static async Task StallAsync(Uri server, byte[] body, Tally tally)
    {
        var watch = Stopwatch.StartNew();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            string head = $"POST /api/predict HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: audio/wav\r\nContent-Length: {body.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body.AsMemory(0, body.Length - (body.Length / 100)));
            watch.Restart(); // From the stall on.

            // Read until the server answers and closes (bounded here at 120 s, far past the 30 s goal).
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var answer = new MemoryStream();
            byte[] chunk = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(chunk, limit.Token)) > 0)
            {
                answer.Write(chunk, 0, read);
            }

            string text = Encoding.ASCII.GetString(answer.ToArray());
            string status = text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12 ? text[9..12] : "closed without answer";
            tally.Add(status, watch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException)
        {
            tally.Add("still open after 120 s", watch.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            tally.Add("reset", watch.ElapsedMilliseconds);
        }
    }
}
