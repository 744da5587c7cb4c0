using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Cry.Cli.Corpus;

/// <summary>A download or extraction that could not be completed; the message says what to do instead.</summary>
public sealed class CorpusUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CorpusUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public CorpusUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public CorpusUnavailableException()
        : base("The corpus could not be obtained.")
    {
    }
}

/// <summary>Gets the Donate-a-cry corpus: downloads the repository archive at a pinned commit, resumes and retries a broken
/// transfer, extracts the cleaned clips (and, when asked, the raw phone recordings) and checks every one against a SHA-256 manifest.</summary>
public sealed class CorpusDownloader(HttpClient http, CorpusManifest manifest, Action<string> log)
{
    /// <summary>The pinned commit of github.com/gveres/donateacry-corpus.</summary>
    public const string Commit = "6baf5aca0460964ad072653585837f968a87c2af";

    /// <summary>The folder of cleaned clips inside the repository.</summary>
    public const string CleanedFolder = "donateacry_corpus_cleaned_and_updated_data";

    /// <summary>The archive of the pinned commit.</summary>
    public static readonly Uri DefaultSource = new($"https://github.com/gveres/donateacry-corpus/archive/{Commit}.zip");

    private const int Attempts = 4;

    /// <summary>How long a transfer may receive nothing before the attempt is abandoned.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>What to do by hand when the download cannot be made.</summary>
    public static string ManualSteps(string outFolder) =>
        $"Download {DefaultSource} with a browser, then run 'cry download --archive FILE.zip --out {outFolder}', " +
        $"or copy the '{CleanedFolder}' folder of the repository at commit {Commit} to {outFolder} " +
        "(one sub-folder per label) and pass it with --corpus or CRY_CORPUS.";

    /// <summary>Downloads (resuming a partial file) and extracts the cleaned clips into <paramref name="outFolder"/>; returns the clip count.</summary>
    /// <exception cref="CorpusUnavailableException">The archive cannot be fetched or does not hold the expected clips.</exception>
    public Task<int> DownloadAsync(Uri source, string outFolder, CancellationToken cancellationToken) =>
        DownloadAsync(source, outFolder, raw: null, cancellationToken);

    /// <summary>Downloads (resuming a partial file) and extracts the cleaned clips into <paramref name="outFolder"/> and,
    /// unless <paramref name="raw"/> is null, the raw recordings into its folder; returns the clip count.</summary>
    /// <remarks>Nothing is fetched when every expected file is already present and verified.</remarks>
    /// <exception cref="CorpusUnavailableException">The archive cannot be fetched or does not hold the expected files.</exception>
    public async Task<int> DownloadAsync(Uri source, string outFolder, RawOutput? raw, CancellationToken cancellationToken)
    {
        bool cleanedComplete = manifest.FindProblems(outFolder).Count == 0;
        var layout = raw is null ? null : new RawCorpusLayout(raw.Manifest, manifest);
        bool rawComplete = layout is null || layout.Target.FindProblems(raw!.Folder).Count == 0;
        if (cleanedComplete && rawComplete)
        {
            log($"{outFolder}: all {manifest.Hashes.Count} clips are already present and verified." +
                (raw is null ? string.Empty : $" {raw.Folder}: all {raw.Manifest.Hashes.Count} raw recordings too."));
            return manifest.Hashes.Count;
        }

        if (cleanedComplete)
        {
            log($"{outFolder}: the clips are complete, but {raw!.Folder} lacks raw recordings; the archive is fetched for them.");
        }

        string partial = Path.Combine(outFolder, ".download", $"donateacry-{Commit[..12]}.zip.part");
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await FetchAsync(source, partial, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (HttpRequestException ex) when (IsUnreachable(ex))
            {
                throw new CorpusUnavailableException($"Cannot reach {source.Host} ({ex.Message}). {ManualSteps(outFolder)}", ex);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException
                || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt == Attempts)
                {
                    throw new CorpusUnavailableException(
                        $"The download failed {Attempts} times ({ex.Message}); the partial file {partial} is kept and a new run resumes it. {ManualSteps(outFolder)}", ex);
                }

                log($"transfer interrupted ({ex.Message}); retrying ({attempt + 1}/{Attempts}), resuming at {new FileInfo(partial).Length:N0} bytes");
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken).ConfigureAwait(false);
            }
        }

        int count = Extract(partial, outFolder, raw);
        File.Delete(partial);
        return count;
    }

    /// <summary>Extracts the cleaned clips of an archive already on disk into <paramref name="outFolder"/> and, unless
    /// <paramref name="raw"/> is null, its raw recordings into <see cref="RawOutput.Folder"/> (laid out by
    /// <see cref="RawCorpusLayout"/>); verifies every file and returns the clip count.</summary>
    /// <remarks>Each file is written to a temporary name and moved into place once its hash matches; a file already
    /// present with the right hash is left alone, so a rerun on a complete folder writes nothing.</remarks>
    /// <exception cref="CorpusUnavailableException">The file is not a zip archive or lacks files of the manifests, or one differs.</exception>
    public int Extract(string archivePath, string outFolder, RawOutput? raw = null)
    {
        var layout = raw is null ? null : new RawCorpusLayout(raw.Manifest, manifest);
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(archivePath);
        }
        catch (InvalidDataException ex)
        {
            throw new CorpusUnavailableException($"{archivePath} is not a zip archive ({ex.Message}).", ex);
        }

        using (archive)
        {
            var cleaned = new Tally();
            var rawTally = new Tally();
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.EndsWith('/'))
                {
                    continue;
                }

                int at = FolderStart(entry.FullName, CleanedFolder);
                if (at >= 0)
                {
                    string relative = entry.FullName[(at + CleanedFolder.Length + 1)..];
                    if (manifest.Hashes.TryGetValue(relative, out string? expected))
                    {
                        cleaned.Add(ExtractEntry(entry, Path.Combine(outFolder, relative), expected, relative, archivePath));
                    }

                    continue;
                }

                if (layout is null)
                {
                    continue;
                }

                foreach (string bucket in RawCorpusLayout.Buckets)
                {
                    at = FolderStart(entry.FullName, bucket);
                    if (at >= 0 && layout.TryGetTarget(entry.FullName[at..], out string target))
                    {
                        string expected = layout.Target.Hashes[target];
                        rawTally.Add(ExtractEntry(entry, Path.Combine(raw!.Folder, target), expected, entry.FullName[at..], archivePath));
                        break;
                    }
                }
            }

            var problems = manifest.FindProblems(outFolder);
            if (problems.Count > 0)
            {
                throw new CorpusUnavailableException(
                    $"{archivePath} lacks {problems.Count} of the {manifest.Hashes.Count} expected clips (first: {problems[0]}).");
            }

            log($"cleaned clips → {outFolder} (one folder per label): {cleaned}, all {manifest.Hashes.Count} verified against the SHA-256 manifest.");
            if (layout is not null)
            {
                var rawProblems = layout.Target.FindProblems(raw!.Folder);
                if (rawProblems.Count > 0)
                {
                    throw new CorpusUnavailableException(
                        $"{archivePath} lacks {rawProblems.Count} of the {layout.Target.Hashes.Count} expected raw recordings (first: {rawProblems[0]}); " +
                        $"the clips in {outFolder} are complete, and 'cry download --no-raw' extracts only them.");
                }

                string folders = string.Join(", ", Enum.GetValues<RawCategory>().Select(c => $"{RawCorpusLayout.FolderName(c)}/ {layout.CountOf(c)}"));
                log($"raw recordings → {raw.Folder} ({folders}): {rawTally}, all {layout.Target.Hashes.Count} verified against the SHA-256 manifest.");
            }

            return manifest.Hashes.Count;
        }
    }

    /// <summary>Where <c>folder/</c> starts in an entry name as a whole path segment, or -1.</summary>
    private static int FolderStart(string fullName, string folder)
    {
        for (int at = fullName.IndexOf(folder + "/", StringComparison.Ordinal); at >= 0;
            at = fullName.IndexOf(folder + "/", at + 1, StringComparison.Ordinal))
        {
            if (at == 0 || fullName[at - 1] == '/')
            {
                return at;
            }
        }

        return -1;
    }

    /// <summary>Writes one entry to <paramref name="target"/> through a temporary file, checking its SHA-256 on the way;
    /// returns false, writing nothing, when the target is already there with the expected hash.</summary>
    private static bool ExtractEntry(ZipArchiveEntry entry, string target, string expected, string name, string archivePath)
    {
        if (File.Exists(target) && new FileInfo(target).Length == entry.Length
            && string.Equals(CorpusManifest.HashFile(target), expected, StringComparison.Ordinal))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temporary = target + ".tmp";
        try
        {
            using var input = entry.Open();
            using var output = File.Create(temporary);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            int read;
            while ((read = input.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
            }

            if (!string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), expected, StringComparison.Ordinal))
            {
                throw new CorpusUnavailableException($"{name} in {archivePath} does not match the manifest's SHA-256; the archive is not the pinned corpus.");
            }
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        File.Move(temporary, target, overwrite: true);
        return true;
    }

    private static bool IsUnreachable(HttpRequestException ex) =>
        ex.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.ConnectionRefused or SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.AccessDenied }
        || ex.HttpRequestError is HttpRequestError.NameResolutionError;

    private async Task FetchAsync(Uri source, string partial, CancellationToken cancellationToken)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, source);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
        {
            return; // The partial file is already complete.
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new CorpusUnavailableException($"{source} answered {(int)response.StatusCode} {response.ReasonPhrase}. {ManualSteps(Path.GetDirectoryName(Path.GetDirectoryName(partial))!)}");
        }

        bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
        if (!resumed)
        {
            have = 0;
        }

        long? total = response.Content.Headers.ContentLength is { } length ? length + have : null;
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var file = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write);
        var buffer = new byte[81920];
        long received = have;
        int lastPercent = -1;
        int read;
        while (true)
        {
            // A stalled connection is treated like a broken one: no data for a minute ends this attempt.
            using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                stall.CancelAfter(StallTimeout);
                read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }

            if (read == 0)
            {
                break;
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            received += read;
            int percent = total is { } t && t > 0 ? (int)(received * 100 / t) : -1;
            if (percent >= 0 && percent / 10 != lastPercent / 10)
            {
                log($"downloaded {received / 1e6:0.0} of {total / 1e6:0.0} MB ({percent} %)");
                lastPercent = percent;
            }
        }

        if (total is { } expectedTotal && received < expectedTotal)
        {
            throw new IOException($"the connection closed after {received:N0} of {expectedTotal:N0} bytes");
        }
    }

    /// <summary>Counts of files written and of files found already in place.</summary>
    private sealed class Tally
    {
        private int _written;
        private int _present;

        public void Add(bool written)
        {
            if (written)
            {
                _written++;
            }
            else
            {
                _present++;
            }
        }

        public override string ToString() => $"{_written} extracted, {_present} already in place";
    }
}

/// <summary>Where the raw phone recordings go (<paramref name="Folder"/>, laid out in <c>cry/</c>, <c>not_cry/</c> and
/// <c>other_reason/</c> by <see cref="RawCorpusLayout"/>) and the manifest they are checked against.</summary>
/// <param name="Folder">The folder of the raw layout.</param>
/// <param name="Manifest">Repository path (<c>bucket/NAME.ext</c>) → SHA-256, e.g. <see cref="CorpusManifest.DonateACryRaw"/>.</param>
public sealed record RawOutput(string Folder, CorpusManifest Manifest);
