using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Cry.Cli.Corpus;

namespace Cry.Cli.Tests;

public sealed class CorpusDownloaderTests
{
    private static readonly Dictionary<string, byte[]> s_clips = new(StringComparer.Ordinal)
    {
        ["hungry/aaaa-1-hu.wav"] = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray(),
        ["tired/bbbb-2-ti.wav"] = Enumerable.Range(0, 50_000).Select(i => (byte)(i * 13)).ToArray(),
    };

    /// <summary>Raw recordings by repository path, and the layout path each must end up at.</summary>
    private static readonly (string Source, string Target, byte[] Bytes)[] s_raw =
    [
        ("donateacry-android-upload-bucket/aaaa-1-hu.3gp", "cry/aaaa-1-hu.3gp", Bytes(9_000, 3)),
        ("donateacry-ios-upload-bucket/bbbb-2-ti.caf", "cry/bbbb-2-ti.caf", Bytes(30_000, 5)),
        ("donateacry-android-upload-bucket/cccc-3-hu.3gp", "not_cry/cccc-3-hu.3gp", Bytes(8_000, 11)),
        ("donateacry-ios-upload-bucket/dddd-4-ch.caf", "not_cry/dddd-4-ch.caf", Bytes(20_000, 17)),
        ("donateacry-android-upload-bucket/eeee-5-dk.3gp", "other_reason/eeee-5-dk.3gp", Bytes(7_000, 19)),
        ("donateacry-ios-upload-bucket/ffff-6-lo.caf", "other_reason/ffff-6-lo.caf", Bytes(25_000, 23)),
        ("donateacry-ios-upload-bucket/gggg-7-sc.caf", "other_reason/gggg-7-sc.caf", Bytes(1_000, 29)),
    ];

    [Fact]
    public async Task DownloadAsync_ServedArchive_ExtractsAndVerifiesEveryClip()
    {
        using var temp = new TempFolder();
        byte[] zip = BuildArchive(s_clips);
        using var server = new ArchiveServer(zip, dropFirstAfter: null);
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), _ => { });

        int count = await downloader.DownloadAsync(server.Url, temp.Path, TestContext.Current.CancellationToken);

        Assert.Equal(2, count);
        foreach (var (path, bytes) in s_clips)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(temp.Path, path)));
        }

        Assert.False(File.Exists(Path.Combine(temp.Path, "unrelated.txt")));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.part", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task DownloadAsync_ConnectionDropped_ResumesWithARangeRequest()
    {
        using var temp = new TempFolder();
        byte[] zip = BuildArchive(s_clips);
        using var server = new ArchiveServer(zip, dropFirstAfter: zip.Length / 2);
        var messages = new List<string>();
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), messages.Add);

        await downloader.DownloadAsync(server.Url, temp.Path, TestContext.Current.CancellationToken);

        Assert.True(server.Requests.Count >= 2, "expected a second request after the drop");
        Assert.Null(server.Requests[0]);
        Assert.NotNull(server.Requests[^1]);
        Assert.StartsWith("bytes=", server.Requests[^1], StringComparison.Ordinal);
        Assert.Contains(messages, m => m.Contains("retrying", StringComparison.Ordinal));
        Assert.Equal(s_clips["tired/bbbb-2-ti.wav"], File.ReadAllBytes(Path.Combine(temp.Path, "tired/bbbb-2-ti.wav")));
    }

    [Fact]
    public async Task DownloadAsync_AlreadyPresent_DoesNotDownload()
    {
        using var temp = new TempFolder();
        foreach (var (path, bytes) in s_clips)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(temp.Path, path))!);
            File.WriteAllBytes(Path.Combine(temp.Path, path), bytes);
        }

        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), _ => { });
        int count = await downloader.DownloadAsync(new Uri("http://127.0.0.1:1/never.zip"), temp.Path, TestContext.Current.CancellationToken);
        Assert.Equal(2, count);
    }

    [Fact]
    public void Extract_AlteredClip_IsRefused()
    {
        using var temp = new TempFolder();
        var altered = new Dictionary<string, byte[]>(s_clips) { ["tired/bbbb-2-ti.wav"] = [1, 2, 3] };
        File.WriteAllBytes(temp["a.zip"], BuildArchive(altered));
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), _ => { });
        var ex = Assert.Throws<CorpusUnavailableException>(() => downloader.Extract(temp["a.zip"], temp["out"]));
        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp["out"], "tired/bbbb-2-ti.wav")));
    }

    [Fact]
    public void Extract_MissingClip_SaysHowManyAreMissing()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp["a.zip"], BuildArchive(new Dictionary<string, byte[]> { ["hungry/aaaa-1-hu.wav"] = s_clips["hungry/aaaa-1-hu.wav"] }));
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), _ => { });
        var ex = Assert.Throws<CorpusUnavailableException>(() => downloader.Extract(temp["a.zip"], temp["out"]));
        Assert.Contains("lacks 1 of the 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_ArchiveWithRawBuckets_LaysOutTheRecordingsByTheCleanedEdition()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp["a.zip"], BuildArchive(s_clips, RawEntries()));
        var messages = new List<string>();
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), messages.Add);

        int count = downloader.Extract(temp["a.zip"], temp["out"], RawTo(temp["raw"]));

        Assert.Equal(2, count);
        foreach (var (_, target, bytes) in s_raw)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(temp["raw"], target)));
        }

        Assert.Equal(
            s_raw.Select(r => r.Target).Order(StringComparer.Ordinal),
            Directory.GetFiles(temp["raw"], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(temp["raw"], f).Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Equal(s_clips.Keys.Order(StringComparer.Ordinal), Directory.GetFiles(temp["out"], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(temp["out"], f).Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Contains(messages, m => m.Contains(temp["raw"], StringComparison.Ordinal) && m.Contains("cry/ 2, not_cry/ 2, other_reason/ 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Extract_AlteredRawRecording_IsRefused()
    {
        using var temp = new TempFolder();
        var entries = RawEntries();
        entries["donateacry-ios-upload-bucket/dddd-4-ch.caf"] = [1, 2, 3];
        File.WriteAllBytes(temp["a.zip"], BuildArchive(s_clips, entries));
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), _ => { });

        var ex = Assert.Throws<CorpusUnavailableException>(() => downloader.Extract(temp["a.zip"], temp["out"], RawTo(temp["raw"])));

        Assert.Contains("donateacry-ios-upload-bucket/dddd-4-ch.caf", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp["raw"], "not_cry/dddd-4-ch.caf")));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Extract_MissingRawRecording_SaysHowManyAreMissing()
    {
        using var temp = new TempFolder();
        var entries = RawEntries();
        entries.Remove("donateacry-android-upload-bucket/eeee-5-dk.3gp");
        File.WriteAllBytes(temp["a.zip"], BuildArchive(s_clips, entries));
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), _ => { });

        var ex = Assert.Throws<CorpusUnavailableException>(() => downloader.Extract(temp["a.zip"], temp["out"], RawTo(temp["raw"])));

        Assert.Contains("lacks 1 of the 7 expected raw recordings", ex.Message, StringComparison.Ordinal);
        Assert.Contains("other_reason/eeee-5-dk.3gp", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_RerunOnCompleteFolders_WritesNothing()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp["a.zip"], BuildArchive(s_clips, RawEntries()));
        var messages = new List<string>();
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), messages.Add);
        downloader.Extract(temp["a.zip"], temp["out"], RawTo(temp["raw"]));
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var files = Directory.GetFiles(temp["out"], "*", SearchOption.AllDirectories).Concat(Directory.GetFiles(temp["raw"], "*", SearchOption.AllDirectories)).ToArray();
        Assert.Equal(s_clips.Count + s_raw.Length, files.Length);
        foreach (string file in files)
        {
            File.SetLastWriteTimeUtc(file, stamp);
        }

        messages.Clear();
        downloader.Extract(temp["a.zip"], temp["out"], RawTo(temp["raw"]));

        Assert.All(files, f => Assert.Equal(stamp, File.GetLastWriteTimeUtc(f)));
        Assert.Contains(messages, m => m.Contains("0 extracted, 2 already in place", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("0 extracted, 7 already in place", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_CleanedAndRawPresent_DoesNotDownload()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp["a.zip"], BuildArchive(s_clips, RawEntries()));
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), _ => { });
        downloader.Extract(temp["a.zip"], temp["out"], RawTo(temp["raw"]));

        int count = await downloader.DownloadAsync(new Uri("http://127.0.0.1:1/never.zip"), temp["out"], RawTo(temp["raw"]), TestContext.Current.CancellationToken);

        Assert.Equal(2, count);
    }

    [Fact]
    public async Task DownloadAsync_CleanedPresentRawMissing_FetchesTheArchiveForTheRawRecordings()
    {
        using var temp = new TempFolder();
        foreach (var (path, bytes) in s_clips)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(temp["out"], path))!);
            File.WriteAllBytes(Path.Combine(temp["out"], path), bytes);
        }

        using var server = new ArchiveServer(BuildArchive(s_clips, RawEntries()), dropFirstAfter: null);
        var downloader = new CorpusDownloader(new HttpClient(), Manifest(s_clips), _ => { });

        await downloader.DownloadAsync(server.Url, temp["out"], RawTo(temp["raw"]), TestContext.Current.CancellationToken);

        Assert.Single(server.Requests);
        Assert.Equal(s_raw[^1].Bytes, File.ReadAllBytes(Path.Combine(temp["raw"], s_raw[^1].Target)));
    }

    [Theory]
    [InlineData("data/donateacry", "data/donateacry-raw")]
    [InlineData("data/donateacry/", "data/donateacry-raw")]
    public void RawTarget_NoRawOut_IsTheOutFolderPlusRaw(string outFolder, string expected)
    {
        var raw = Commands.DownloadCommand.RawTarget(outFolder, rawOutFolder: null, noRaw: false);
        Assert.NotNull(raw);
        Assert.Equal(expected, raw.Folder);
        Assert.Same(CorpusManifest.DonateACryRaw, raw.Manifest);
    }

    [Fact]
    public void RawTarget_NoRaw_IsNull() =>
        Assert.Null(Commands.DownloadCommand.RawTarget("data/donateacry", rawOutFolder: null, noRaw: true));

    [Theory]
    [InlineData("data/donateacry", "x", true)]
    [InlineData("data/donateacry", "data/donateacry", false)]
    [InlineData("data/donateacry", "data/donateacry/raw", false)]
    [InlineData("data/donateacry", "data", false)]
    public void Cli_ConflictingRawOptions_ExitWith2(string outFolder, string rawOut, bool noRaw)
    {
        using var temp = new TempFolder();
        string[] args = ["download", "--archive", temp["none.zip"], "--out", temp[outFolder], "--raw-out", temp[rawOut]];
        var (code, _, error) = CliRunner.Run(noRaw ? [.. args, "--no-raw"] : args);
        Assert.Equal(2, code);
        Assert.Contains("--raw-out", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_Help_DescribesTheRawLayout()
    {
        var (code, output, _) = CliRunner.Run("download", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--raw-out", output, StringComparison.Ordinal);
        Assert.Contains("--no-raw", output, StringComparison.Ordinal);
        Assert.Contains("other_reason/", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_NoNetwork_FailsFastWithTheManualSteps()
    {
        using var temp = new TempFolder();
        int port = FreePort();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, error) = CliRunner.Run("download", "--source", $"http://127.0.0.1:{port}/corpus.zip", "--out", temp["corpus"]);
        Assert.Equal(4, code);
        Assert.Contains("--archive", error, StringComparison.Ordinal);
        Assert.Contains(CorpusDownloader.Commit, error, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Cli_ArchiveThatIsNotAZip_ExitsWith4()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["x.zip"], "not a zip");
        var (code, _, error) = CliRunner.Run("download", "--archive", temp["x.zip"], "--out", temp["corpus"]);
        Assert.Equal(4, code);
        Assert.Contains("not a zip archive", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddedManifest_ListsTheCleanedCorpus()
    {
        var manifest = CorpusManifest.DonateACry;
        Assert.Equal(457, manifest.Hashes.Count);
        Assert.Equal(382, manifest.Hashes.Keys.Count(k => k.StartsWith("hungry/", StringComparison.Ordinal)));
        Assert.All(manifest.Hashes.Values, h => Assert.Matches("^[0-9a-f]{64}$", h));
    }

    [Fact]
    public void EmbeddedRawManifest_ListsBothUploadBuckets()
    {
        var manifest = CorpusManifest.DonateACryRaw;
        Assert.Equal(1128, manifest.Hashes.Count);
        Assert.Equal(712, manifest.Hashes.Keys.Count(k => k.StartsWith("donateacry-android-upload-bucket/", StringComparison.Ordinal) && k.EndsWith(".3gp", StringComparison.Ordinal)));
        Assert.Equal(416, manifest.Hashes.Keys.Count(k => k.StartsWith("donateacry-ios-upload-bucket/", StringComparison.Ordinal) && k.EndsWith(".caf", StringComparison.Ordinal)));
        Assert.All(manifest.Hashes.Values, h => Assert.Matches("^[0-9a-f]{64}$", h));
    }

    private static CorpusManifest Manifest(Dictionary<string, byte[]> clips)
    {
        var lines = clips.Select(c => $"{Convert.ToHexStringLower(SHA256.HashData(c.Value))}  {c.Key}");
        return CorpusManifest.Parse(new StringReader(string.Join('\n', lines)));
    }

    private static byte[] Bytes(int length, int step) => Enumerable.Range(0, length).Select(i => (byte)(i * step)).ToArray();

    /// <summary>The raw entries of the archive (repository path → bytes), with one more that no manifest lists.</summary>
    private static Dictionary<string, byte[]> RawEntries()
    {
        var entries = s_raw.ToDictionary(r => r.Source, r => r.Bytes, StringComparer.Ordinal);
        entries["donateacry-android-upload-bucket/zzzz-9-hu.3gp"] = [9, 9, 9];
        return entries;
    }

    /// <summary>The raw output with a manifest of <see cref="s_raw"/>, as the embedded one lists the real recordings.</summary>
    private static RawOutput RawTo(string folder)
    {
        var lines = s_raw.Select(r => $"{Convert.ToHexStringLower(SHA256.HashData(r.Bytes))}  {r.Source}");
        return new RawOutput(folder, CorpusManifest.Parse(new StringReader(string.Join('\n', lines))));
    }

    private static byte[] BuildArchive(Dictionary<string, byte[]> clips, Dictionary<string, byte[]>? raw = null)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, bytes) in clips)
            {
                var entry = zip.CreateEntry($"donateacry-corpus-{CorpusDownloader.Commit}/{CorpusDownloader.CleanedFolder}/{path}", CompressionLevel.NoCompression);
                using var stream = entry.Open();
                stream.Write(bytes);
            }

            foreach (var (path, bytes) in raw ?? new Dictionary<string, byte[]>())
            {
                var entry = zip.CreateEntry($"donateacry-corpus-{CorpusDownloader.Commit}/{path}", CompressionLevel.Fastest);
                using var stream = entry.Open();
                stream.Write(bytes);
            }

            using var other = zip.CreateEntry($"donateacry-corpus-{CorpusDownloader.Commit}/unrelated.txt").Open();
            other.Write("x"u8);
        }

        return memory.ToArray();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Serves one archive on loopback, honouring Range requests; optionally drops the first transfer midway.</summary>
    private sealed class ArchiveServer : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly byte[] _archive;
        private readonly int? _dropFirstAfter;
        private readonly Task _loop;

        public ArchiveServer(byte[] archive, int? dropFirstAfter)
        {
            _archive = archive;
            _dropFirstAfter = dropFirstAfter;
            // HttpListener cannot take port 0, so a free port is asked for first; another test may take it in between: try again.
            for (int attempt = 1; ; attempt++)
            {
                int port = FreePort();
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    _listener = listener;
                    Url = new Uri($"http://127.0.0.1:{port}/corpus.zip");
                    break;
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                    listener.Close();
                }
            }

            _loop = Task.Run(ServeAsync);
        }

        public Uri Url { get; }

        /// <summary>The Range header of each request (null when absent).</summary>
        public List<string?> Requests { get; } = [];

        public void Dispose()
        {
            _listener.Close();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // The listener was closed under the loop.
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                string? range = context.Request.Headers["Range"];
                Requests.Add(range);
                int start = range is null ? 0 : int.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
                var response = context.Response;
                response.StatusCode = range is null ? 200 : 206;
                response.ContentLength64 = _archive.Length - start;
                if (range is not null)
                {
                    response.AddHeader("Content-Range", $"bytes {start}-{_archive.Length - 1}/{_archive.Length}");
                }

                bool drop = Requests.Count == 1 && _dropFirstAfter is not null;
                int end = drop ? _dropFirstAfter!.Value : _archive.Length;
                try
                {
                    await response.OutputStream.WriteAsync(_archive.AsMemory(start, end - start));
                    await response.OutputStream.FlushAsync();
                    if (drop)
                    {
                        response.Abort();
                        continue;
                    }

                    response.Close();
                }
                catch (HttpListenerException)
                {
                    // The client went away.
                }
            }
        }
    }
}
