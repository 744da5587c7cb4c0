using System.CommandLine;
using Cry.Cli.Corpus;

namespace Cry.Cli.Commands;

/// <summary><c>cry download</c>: fetches and verifies the Donate-a-cry corpus, its cleaned clips and its raw recordings.</summary>
internal static class DownloadCommand
{
    public static Command Create(TextWriter error)
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder for the clips (one sub-folder per label).",
            DefaultValueFactory = _ => Path.Combine("data", "donateacry"),
        };
        var rawOutput = new Option<string?>("--raw-out")
        {
            Description = "Folder for the raw phone recordings (.3gp, .caf) in cry/, not_cry/ and other_reason/ (default: the --out folder's name + '-raw', e.g. data/donateacry-raw).",
        };
        var noRaw = new Option<bool>("--no-raw")
        {
            Description = "Extract only the cleaned clips, not the raw recordings.",
        };
        var source = new Option<string?>("--source")
        {
            Description = $"Archive URL (default: the repository at commit {CorpusDownloader.Commit[..12]}, or CRY_CORPUS_URL); for mirrors.",
        };
        var archive = new Option<string?>("--archive")
        {
            Description = "Use an archive already downloaded (a zip of the repository) instead of the network.",
        };
        var command = new Command(
            "download",
            $"Download the Donate-a-cry corpus (github.com/gveres/donateacry-corpus at commit {CorpusDownloader.Commit[..12]}), " +
            "extract its cleaned clips (--out, one folder per label) and its raw phone recordings (--raw-out: cry/ = kept by the cleaned edition, " +
            "not_cry/ = removed by its listeners, other_reason/ = removed for a reason tag lo, sc or dk), check each file against a SHA-256 manifest; " +
            "resumes a broken transfer and does nothing when all files are already there. " +
            "Without a network it stops at once and says how to get the corpus by hand.")
        {
            output, rawOutput, noRaw, source, archive,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string outFolder = parse.GetValue(output)!;
            var raw = RawTarget(outFolder, parse.GetValue(rawOutput), parse.GetValue(noRaw));
            Directory.CreateDirectory(outFolder);
            using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("CryFunctions-cry/1.0");
            var downloader = new CorpusDownloader(http, CorpusManifest.DonateACry, message => error.WriteLine($"cry: {message}"));
            if (parse.GetValue(archive) is { } archivePath)
            {
                if (!File.Exists(archivePath))
                {
                    throw new BadInputException($"{archivePath}: file not found.");
                }

                downloader.Extract(archivePath, outFolder, raw);
                return ExitCodes.Success;
            }

            string? text = parse.GetValue(source) ?? Environment.GetEnvironmentVariable("CRY_CORPUS_URL");
            Uri uri = CorpusDownloader.DefaultSource;
            if (!string.IsNullOrEmpty(text)
                && (!Uri.TryCreate(text, UriKind.Absolute, out uri!) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            {
                throw new UsageException($"--source must be an http(s) URL, not '{text}'.");
            }

            await downloader.DownloadAsync(uri, outFolder, raw, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The raw output of the options: none with --no-raw, else --raw-out or the --out folder's name + "-raw".</summary>
    /// <exception cref="UsageException">Both --raw-out and --no-raw, or a raw folder that overlaps the clips folder.</exception>
    internal static RawOutput? RawTarget(string outFolder, string? rawOutFolder, bool noRaw)
    {
        if (noRaw)
        {
            return rawOutFolder is null ? null : throw new UsageException("--raw-out and --no-raw exclude each other.");
        }

        string clips = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outFolder));
        string given = Path.TrimEndingDirectorySeparator(outFolder);
        string folder = rawOutFolder ?? (Path.GetFileName(given) is "" or "." or ".." ? clips : given) + "-raw";
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));

        // The raw categories inside the clips folder would read as labels, and the labels inside the raw folder as categories.
        if (IsSameOrInside(full, clips) || IsSameOrInside(clips, full))
        {
            throw new UsageException($"--raw-out {folder} overlaps --out {outFolder}; give the raw recordings a folder of their own.");
        }

        return new RawOutput(folder, CorpusManifest.DonateACryRaw);
    }

    private static bool IsSameOrInside(string path, string folder) =>
        string.Equals(path, folder, StringComparison.Ordinal)
        || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
