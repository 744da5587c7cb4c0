using System.Diagnostics;
using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>FFmpeg as the tests' encoder, found the way the product finds it; a test that needs it skips without it.</summary>
internal static class FfmpegTool
{
    public const string SkipReason = "ffmpeg was not found (on PATH or in CRY_FFMPEG): this test encodes with FFmpeg and is skipped";

    private static readonly Lazy<DirectoryInfo> s_folder = new(CreateFolder);

    /// <summary>The executable, or null when this host has none.</summary>
    public static string? Executable { get; } = FfmpegDecoder.Locate(null);

    /// <summary>A folder for this test run's files, deleted when the process ends.</summary>
    public static DirectoryInfo Folder => s_folder.Value;

    /// <summary>Skips the calling test when FFmpeg is missing.</summary>
    public static void SkipUnlessAvailable() => Assert.SkipWhen(Executable is null, SkipReason);

    /// <summary>Runs FFmpeg on <paramref name="input"/> (written to a file) and returns what it wrote to <c>out</c><paramref name="extension"/>.</summary>
    /// <param name="input">The input file's bytes (a WAV).</param>
    /// <param name="extension">The output's extension, which picks the muxer unless the arguments name one with -f.</param>
    /// <param name="arguments">Output options (codec, muxer), placed between the input and the output name.</param>
    public static byte[] Encode(ReadOnlySpan<byte> input, string extension, IReadOnlyList<string> arguments)
    {
        string executable = Executable ?? throw new InvalidOperationException(SkipReason);
        string name = Guid.NewGuid().ToString("N");
        string inputPath = Path.Combine(Folder.FullName, name + ".in.wav");
        string outputPath = Path.Combine(Folder.FullName, name + ".out" + extension);
        File.WriteAllBytes(inputPath, input.ToArray());
        try
        {
            Run(executable, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", inputPath, .. arguments, outputPath]);
            return File.ReadAllBytes(outputPath);
        }
        finally
        {
            File.Delete(inputPath);
            File.Delete(outputPath);
        }
    }

    /// <summary>Runs FFmpeg with a lavfi source (no input file) and returns the output file's bytes.</summary>
    public static byte[] Generate(string extension, IReadOnlyList<string> arguments)
    {
        string executable = Executable ?? throw new InvalidOperationException(SkipReason);
        string outputPath = Path.Combine(Folder.FullName, Guid.NewGuid().ToString("N") + ".out" + extension);
        try
        {
            Run(executable, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. arguments, outputPath]);
            return File.ReadAllBytes(outputPath);
        }
        finally
        {
            File.Delete(outputPath);
        }
    }

    /// <summary>Writes an executable shell script into the run's folder (a fake FFmpeg) and returns its path; skips on Windows.</summary>
    public static string Script(string body)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "a fake FFmpeg is a shell script: Unix only");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        string path = Path.Combine(Folder.FullName, "fake-ffmpeg-" + Guid.NewGuid().ToString("N") + ".sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static void Run(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {errors}");
        }
    }

    private static DirectoryInfo CreateFolder()
    {
        DirectoryInfo folder = Directory.CreateTempSubdirectory("cry-decoder-tests-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the system empties its temporary folder.
            }
        };
        return folder;
    }
}
