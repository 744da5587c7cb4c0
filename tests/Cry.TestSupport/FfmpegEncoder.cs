using System.Diagnostics;
using Cry.Audio;
using Cry.Audio.Decoding;

namespace Cry.TestSupport;

/// <summary>Encodes test recordings into other formats with FFmpeg (the product's tests make their own files).</summary>
public static class FfmpegEncoder
{
    /// <summary>Why a test that needs FFmpeg is skipped.</summary>
    public const string Missing = "FFmpeg is not installed (test.sh installs Debian's ffmpeg); this test encodes its inputs with it.";

    /// <summary>The FFmpeg the product would use, or null.</summary>
    public static string? Executable { get; } = AudioDecoder.Default.Ffmpeg.ExecutablePath;

    /// <summary>Whether FFmpeg is here.</summary>
    public static bool IsAvailable => Executable is not null;

    /// <summary>
    /// The phone and browser formats a test can make here (Debian's FFmpeg has no AMR encoder): a file extension and
    /// the FFmpeg output arguments.
    /// </summary>
    public static IReadOnlyList<(string Name, string Extension, string[] Arguments)> PhoneFormats { get; } =
    [
        ("M4A AAC", ".m4a", ["-c:a", "aac", "-b:a", "64k"]),
        ("3GP AAC", ".3gp", ["-c:a", "aac", "-b:a", "32k", "-f", "3gp"]),
        ("CAF IMA4", ".caf", ["-c:a", "adpcm_ima_qt", "-f", "caf"]),
        ("WebM Opus", ".webm", ["-c:a", "libopus", "-b:a", "32k"]),
        ("Ogg Opus", ".ogg", ["-c:a", "libopus", "-b:a", "32k"]),
        ("Ogg Vorbis", ".oga", ["-c:a", "libvorbis"]),
        ("MP3", ".mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
        ("FLAC", ".flac", ["-c:a", "flac"]),
    ];

    /// <summary>Encodes a WAV file's bytes with the given output arguments.</summary>
    /// <exception cref="InvalidOperationException">FFmpeg is missing or failed.</exception>
    public static byte[] Encode(byte[] wav, string extension, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(wav);
        ArgumentNullException.ThrowIfNull(arguments);
        string executable = Executable ?? throw new InvalidOperationException(Missing);
        var folder = Directory.CreateTempSubdirectory("cry-encode-");
        try
        {
            string input = Path.Combine(folder.FullName, "in.wav");
            string output = Path.Combine(folder.FullName, "out" + extension);
            File.WriteAllBytes(input, wav);
            var start = new ProcessStartInfo(executable) { RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in (string[])["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", input, .. arguments, output])
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} failed: {errors}");
            }

            return File.ReadAllBytes(output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
