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
/// transfer, extracts the cleaned clips and checks every one against a SHA-256 manifest.</summary>
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

    /// <summary>Downloads (resuming a partial file) and extracts into <paramref name="outFolder"/>; returns the clip count.</summary>
    /// <exception cref="CorpusUnavailableException">The archive cannot be fetched or does not hold the expected clips.</exception>
    public async Task<int> DownloadAsync(Uri source, string outFolder, CancellationToken cancellationToken)
    {
        if (manifest.FindProblems(outFolder).Count == 0)
        {
            log($"{outFolder}: all {manifest.Hashes.Count} clips are already present and verified.");
            return manifest.Hashes.Count;
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

        int count = Extract(partial, outFolder);
        File.Delete(partial);
        return count;
    }

    /// <summary>Extracts the cleaned clips of an archive already on disk and verifies them; returns the clip count.</summary>
    /// <exception cref="CorpusUnavailableException">The file is not a zip archive or lacks clips of the manifest, or one differs.</exception>
    public int Extract(string archivePath, string outFolder)
    {
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
            string marker = CleanedFolder + "/";
            int extracted = 0;
            foreach (var entry in archive.Entries)
            {
                int at = entry.FullName.IndexOf(marker, StringComparison.Ordinal);
                if (at < 0 || entry.FullName.EndsWith('/'))
                {
                    continue;
                }

                string relative = entry.FullName[(at + marker.Length)..];
                if (!manifest.Hashes.TryGetValue(relative, out string? expected))
                {
                    continue;
                }

                string target = Path.Combine(outFolder, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                string temporary = target + ".tmp";
                using (var input = entry.Open())
                using (var output = File.Create(temporary))
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buffer = new byte[81920];
                    int read;
                    while ((read = input.Read(buffer)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        output.Write(buffer, 0, read);
                    }

                    string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                    if (actual != expected)
                    {
                        output.Close();
                        File.Delete(temporary);
                        throw new CorpusUnavailableException($"{relative} in {archivePath} does not match the manifest's SHA-256; the archive is not the pinned corpus.");
                    }
                }

                File.Move(temporary, target, overwrite: true);
                extracted++;
            }

            var problems = manifest.FindProblems(outFolder);
            if (problems.Count > 0)
            {
                throw new CorpusUnavailableException(
                    $"{archivePath} lacks {problems.Count} of the {manifest.Hashes.Count} expected clips (first: {problems[0]}).");
            }

            log($"{outFolder}: {extracted} clips extracted and verified against the SHA-256 manifest.");
            return manifest.Hashes.Count;
        }
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
}
