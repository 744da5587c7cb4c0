using System.CommandLine;
using Cry.Cli.Corpus;

namespace Cry.Cli.Commands;

/// <summary><c>cry download</c>: fetches and verifies the Donate-a-cry corpus.</summary>
internal static class DownloadCommand
{
    public static Command Create(TextWriter error)
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder for the clips (one sub-folder per label).",
            DefaultValueFactory = _ => Path.Combine("data", "donateacry"),
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
            "extract its cleaned clips and check each against a SHA-256 manifest; resumes a broken transfer. " +
            "Without a network it stops at once and says how to get the corpus by hand.")
        {
            output, source, archive,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string outFolder = parse.GetValue(output)!;
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

                downloader.Extract(archivePath, outFolder);
                return ExitCodes.Success;
            }

            string? text = parse.GetValue(source) ?? Environment.GetEnvironmentVariable("CRY_CORPUS_URL");
            Uri uri = CorpusDownloader.DefaultSource;
            if (!string.IsNullOrEmpty(text)
                && (!Uri.TryCreate(text, UriKind.Absolute, out uri!) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            {
                throw new UsageException($"--source must be an http(s) URL, not '{text}'.");
            }
            await downloader.DownloadAsync(uri, outFolder, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }
}
