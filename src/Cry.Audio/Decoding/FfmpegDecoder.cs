using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>
/// Decodes audio with FFmpeg in a child process, for the codecs no managed decoder here reads (AMR, AAC, FLAC, …):
/// a hostile file can then crash or hang a child process, never the server.
/// </summary>
/// <remarks>
/// <para>The input is written to a private temporary file (an MP4 whose <c>moov</c> box comes last cannot be read
/// from a pipe), deleted afterwards. FFmpeg runs with <c>-nostdin</c>, a protocol whitelist of <c>file</c> and
/// <c>pipe</c>, a demuxer whitelist of the audio containers the product accepts, one thread, no metadata, the first
/// audio stream only, and writes mono 32-bit float WAV at the source's own rate to a pipe (so the product's own
/// resampler does the rest, and training and serving agree whichever path decoded a file). Output is limited to a
/// little more than the maximum duration, so a longer recording is refused rather than cut. A wall-clock timeout
/// kills the process. FFmpeg's stderr is read only to choose a reason from a closed set; it is never returned or
/// logged (it repeats the file's tags). At most <see cref="FfmpegOptions.MaxConcurrentProcesses"/> processes run at
/// once; a decode that waits longer than the queue timeout for a slot throws <see cref="AudioDecoderBusyException"/>.
/// Thread-safe.</para>
/// </remarks>
public sealed class FfmpegDecoder : IDisposable
{
    // The demuxers FFmpeg may pick: the audio containers the product accepts, nothing that opens other files or URLs
    // (no concat, HLS, playlists or image sequences).
    private const string FormatWhitelist = "wav,w64,caf,mov,mp4,m4a,3gp,3g2,mj2,amr,amrnb,amrwb,matroska,webm,ogg,mp3,aac,flac,aiff";
    private const int StderrKeepChars = 4096;

    private readonly FfmpegOptions _options;
    private readonly WavDecoder _wav;
    private readonly SemaphoreSlim _slots;
    private readonly Lazy<string?> _executable;
    private int _running;

    /// <summary>Creates a decoder with the limits and FFmpeg settings of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public FfmpegDecoder(AudioDecoderOptions? options = null)
    {
        options ??= AudioDecoderOptions.Default;
        options.Validate();
        _options = options.Ffmpeg;
        _wav = new WavDecoder(options.Limits);
        _slots = new SemaphoreSlim(_options.MaxConcurrentProcesses, _options.MaxConcurrentProcesses);
        _executable = new Lazy<string?>(() => Locate(_options.ExecutablePath), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The FFmpeg executable that will be run, or null when none is configured or found.</summary>
    public string? ExecutablePath => _executable.Value;

    /// <summary>Whether FFmpeg was found.</summary>
    public bool IsAvailable => _executable.Value is not null;

    /// <summary>The FFmpeg processes running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Decodes <paramref name="input"/> (any container FFmpeg reads) to a mono signal at its own sample rate.</summary>
    /// <param name="input">The file's bytes.</param>
    /// <param name="format">A short description of the format for messages, such as "AMR-NB in a 3GP container".</param>
    /// <exception cref="AudioFormatException">FFmpeg is missing (<see cref="AudioFormatException.MissingDecoder"/> is set), or the file cannot be decoded; the message says which.</exception>
    /// <exception cref="AudioDecoderBusyException">No process slot became free within the queue timeout.</exception>
    public AudioSignal Decode(ReadOnlySpan<byte> input, string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        string executable = _executable.Value ?? throw Missing(format);
        if (!_slots.Wait(_options.QueueTimeout))
        {
            throw new AudioDecoderBusyException(string.Create(
                CultureInfo.InvariantCulture,
                $"All {_options.MaxConcurrentProcesses} FFmpeg decoding slots stayed busy for {_options.QueueTimeout.TotalSeconds:0.#} s; try again shortly."));
        }

        DirectoryInfo? folder = null;
        try
        {
            folder = CreatePrivateFolder();
            string path = Path.Combine(folder.FullName, "input");
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(input);
            }

            return Run(executable, path, format);
        }
        catch (IOException ex)
        {
            throw new IOException("The temporary file for FFmpeg could not be written.", ex);
        }
        finally
        {
            if (folder is not null)
            {
                try
                {
                    folder.Delete(recursive: true);
                }
                catch (IOException)
                {
                    // Best effort: the folder is private and the system cleans its temporary folder.
                }
            }

            _slots.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _slots.Dispose();

    /// <summary>The refusal for a format that needs FFmpeg on a host that has none.</summary>
    public static AudioFormatException Missing(string format) => new(
        $"{format} needs FFmpeg on this host, and none was found (install it, put it on PATH or name it in {FfmpegOptions.PathVariable}); or convert the recording to WAV and send it again.")
    {
        IsUnsupportedFormat = true,
        MissingDecoder = "ffmpeg",
    };

    private AudioSignal Run(string executable, string inputPath, string format)
    {
        var start = StartInfo(executable, inputPath);
        using var process = new Process { StartInfo = start };
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                if (e.Data is not null && stderr.Length < StderrKeepChars)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };

        Start(process, executable, format);
        Interlocked.Increment(ref _running);
        int timedOut = 0;
        using var timer = new Timer(
            _ =>
            {
                Interlocked.Exchange(ref timedOut, 1);
                Kill(process);
            },
            null,
            _options.Timeout,
            Timeout.InfiniteTimeSpan);
        try
        {
            process.StandardInput.Close();
            process.BeginErrorReadLine();
            AudioSignal? signal = null;
            AudioFormatException? outputProblem = null;
            try
            {
                signal = _wav.Decode(process.StandardOutput.BaseStream);
            }
            catch (AudioFormatException ex)
            {
                outputProblem = ex;
                Kill(process);
            }

            // The output ended: the process exits at once (or was killed); bound the wait all the same.
            if (!process.WaitForExit(_options.Timeout))
            {
                Kill(process);
                process.WaitForExit();
            }

            process.WaitForExit(); // Flushes the stderr reader.
            string errors;
            lock (stderr)
            {
                errors = stderr.ToString();
            }

            return Outcome(format, Volatile.Read(ref timedOut) == 1, outputProblem, process, errors, signal);
        }
        finally
        {
            Kill(process);
            Interlocked.Decrement(ref _running);
        }
    }

    // FFmpeg's command line: the input file, decoded to mono float WAV on stdout under the limits the remarks give.
    private ProcessStartInfo StartInfo(string executable, string inputPath)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        // A little more than the maximum duration: a longer file reaches the limit and is refused, never cut.
        string maxSeconds = (_wav.Options.MaxDurationSeconds + 1).ToString("0.###", CultureInfo.InvariantCulture);
        foreach (string argument in (string[])[
            "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-threads", "1",
            "-protocol_whitelist", "file,pipe", "-format_whitelist", FormatWhitelist,
            "-i", inputPath,
            "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1",
            "-ac", "1", "-c:a", "pcm_f32le", "-t", maxSeconds, "-bitexact", "-f", "wav", "pipe:1"])
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static void Start(Process process, string executable, string format)
    {
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new AudioFormatException($"{format} needs FFmpeg, and '{executable}' could not be started ({ex.Message}).", ex)
            {
                IsUnsupportedFormat = true,
                MissingDecoder = "ffmpeg",
            };
        }
    }

    // The decoded signal once the process has ended, or the refusal that says why there is none (checked in this order).
    private AudioSignal Outcome(string format, bool timedOut, AudioFormatException? outputProblem, Process process, string errors, AudioSignal? signal)
    {
        if (timedOut)
        {
            throw new AudioFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"Decoding the {format} file took longer than {_options.Timeout.TotalSeconds:0.#} s and was stopped; the file is probably malformed."));
        }

        if (outputProblem is not null && outputProblem.Message.Contains("longer than the maximum", StringComparison.Ordinal))
        {
            throw new AudioFormatException($"The {format} recording is longer than the maximum of {_wav.Options.MaxDurationSeconds} s.", outputProblem);
        }

        if (outputProblem is not null && outputProblem.Message.Contains("float WAV samples must be finite", StringComparison.Ordinal))
        {
            // FFmpeg passes NaN and infinity through to its float output: the file holds them, as on the managed paths.
            throw new AudioFormatException($"The {format} file decodes to a non-finite sample (NaN or infinity).", outputProblem);
        }

        if (process.ExitCode != 0)
        {
            throw Failure(format, process.ExitCode, errors);
        }

        if (outputProblem is not null || signal is null)
        {
            throw new AudioFormatException($"The {format} file holds no decodable audio.", outputProblem!);
        }

        return signal;
    }

    // A reason from a closed set, chosen by what FFmpeg said; none of its words are passed on.
    private static AudioFormatException Failure(string format, int exitCode, string errors)
    {
        if (exitCode > 128 || exitCode < 0)
        {
            return new AudioFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The decoder stopped abnormally on the {format} file (exit code {exitCode}); the file is probably malformed."));
        }

        if (errors.Contains("matches no streams", StringComparison.Ordinal) || errors.Contains("does not contain any stream", StringComparison.Ordinal))
        {
            return new AudioFormatException($"The {format} file has no audio stream.");
        }

        if (errors.Contains("Decoder", StringComparison.Ordinal) && errors.Contains("not found", StringComparison.Ordinal))
        {
            return new AudioFormatException($"The audio codec of the {format} file is not one this host's FFmpeg can decode.") { IsUnsupportedFormat = true };
        }

        if (errors.Contains("not on whitelist", StringComparison.Ordinal) || errors.Contains("not in whitelist", StringComparison.Ordinal))
        {
            return new AudioFormatException($"The {format} file is not in one of the accepted audio containers.") { IsUnsupportedFormat = true };
        }

        if (errors.Contains("Invalid data", StringComparison.Ordinal) || errors.Contains("moov atom not found", StringComparison.Ordinal))
        {
            return new AudioFormatException($"The {format} file is corrupt or truncated: the decoder found invalid data.");
        }

        return new AudioFormatException(string.Create(
            CultureInfo.InvariantCulture,
            $"The {format} file could not be decoded (the decoder ended with exit code {exitCode})."));
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It exited meanwhile, or was never started.
        }
    }

    private DirectoryInfo CreatePrivateFolder()
    {
        if (_options.TemporaryFolder is { } root)
        {
            var folder = new DirectoryInfo(Path.Combine(root, "cry-ffmpeg-" + Guid.NewGuid().ToString("N")));
            folder.Create();
            if (!OperatingSystem.IsWindows())
            {
                folder.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            }

            return folder;
        }

        return Directory.CreateTempSubdirectory("cry-ffmpeg-"); // Owner-only permissions on Unix.
    }

    /// <summary>Finds FFmpeg: the configured path, else <see cref="FfmpegOptions.PathVariable"/>, else <c>ffmpeg</c> on PATH.</summary>
    internal static string? Locate(string? configured)
    {
        string? named = configured ?? Environment.GetEnvironmentVariable(FfmpegOptions.PathVariable);
        if (named is not null)
        {
            if (named.Length == 0)
            {
                return null; // Turned off.
            }

            return File.Exists(named) ? Path.GetFullPath(named) : FindOnPath(named);
        }

        return FindOnPath("ffmpeg");
    }

    private static string? FindOnPath(string name)
    {
        if (name.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return null;
        }

        string[] names = OperatingSystem.IsWindows() ? [name + ".exe", name] : [name];
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string candidate in names)
            {
                string path = Path.Combine(folder, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }
}
