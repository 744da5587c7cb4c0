using System.Diagnostics;
using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// The out-of-process decoder under a misbehaving FFmpeg (a shell script in its place): it hangs, crashes, fails,
/// talks, or holds every slot. Each outcome is a refusal from a closed set, within bounded time, leaving no files.
/// </summary>
public sealed class FfmpegProcessTests : IDisposable
{
    // A file that only FFmpeg reads here: native FLAC.
    private static readonly byte[] s_flac = [.. "fLaC\0\0\0\x22"u8, .. new byte[64]];

    private readonly DirectoryInfo _temporary = FfmpegTool.Folder.CreateSubdirectory("ffmpeg-temp-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => _temporary.Delete(recursive: true);

    [Fact]
    public void Decode_FfmpegHangs_KilledAtTheTimeoutAndRefused()
    {
        using var decoder = Decoder("sleep 30", timeout: TimeSpan.FromSeconds(1));
        var stopwatch = Stopwatch.StartNew();

        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(s_flac));

        Assert.Equal("Decoding the FLAC file took longer than 1 s and was stopped; the file is probably malformed.", refusal.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(0, decoder.Ffmpeg.Running);
        Assert.Empty(_temporary.GetFileSystemInfos());
    }

    [Fact]
    public void Decode_FfmpegHangsAfterWritingAHeader_KilledAtTheTimeoutAndRefused()
    {
        // A WAV header announcing endless float samples, then silence on the pipe.
        using var decoder = Decoder("printf 'RIFF\\377\\377\\377\\377WAVEfmt \\020\\0\\0\\0\\003\\0\\001\\0\\100\\037\\0\\0\\0\\175\\0\\0\\004\\0\\040\\0data\\377\\377\\377\\377'; sleep 30", timeout: TimeSpan.FromSeconds(1));
        var stopwatch = Stopwatch.StartNew();

        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(s_flac));

        Assert.Contains("took longer than 1 s and was stopped", refusal.Message, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("kill -SEGV $$", "The decoder stopped abnormally on the FLAC file (exit code 139); the file is probably malformed.")]
    [InlineData("kill -KILL $$", "The decoder stopped abnormally on the FLAC file (exit code 137); the file is probably malformed.")]
    [InlineData("echo 'Invalid data found when processing input' >&2; exit 1", "The FLAC file is corrupt or truncated: the decoder found invalid data.")]
    [InlineData("echo 'Stream map 0:a:0 matches no streams.' >&2; exit 1", "The FLAC file has no audio stream.")]
    [InlineData("echo 'Decoder (codec amr_nb) not found for input stream' >&2; exit 1", "The audio codec of the FLAC file is not one this host's FFmpeg can decode.")]
    [InlineData("echo 'Format caf detected only with low score, not on whitelist' >&2; exit 1", "The FLAC file is not in one of the accepted audio containers.")]
    [InlineData("exit 3", "The FLAC file could not be decoded (the decoder ended with exit code 3).")]
    [InlineData("printf 'this is not a WAV file'", "The FLAC file holds no decodable audio.")]
    [InlineData("exit 0", "The FLAC file holds no decodable audio.")]
    public void Decode_FfmpegFails_RefusedWithAReasonFromAClosedSet(string script, string message)
    {
        using var decoder = Decoder(script);

        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(s_flac));

        Assert.Equal(message, refusal.Message);
        Assert.Null(refusal.MissingDecoder);
        Assert.Empty(_temporary.GetFileSystemInfos());
    }

    [Fact]
    public void Decode_FfmpegPrintsTheFilesTags_NoneOfItsWordsArePassedOn()
    {
        using var decoder = Decoder("echo 'title: Lena Müller, 3 weeks, Invalid data' >&2; echo 'Lena' >&2; exit 1");

        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(s_flac));

        Assert.DoesNotContain("Lena", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Müller", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Lena", refusal.InnerException?.Message ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_EverySlotBusy_RefusedAsBusyAtOnce()
    {
        using var decoder = Decoder("sleep 30", timeout: TimeSpan.FromSeconds(8), slots: 1, queueTimeout: TimeSpan.Zero); // Long enough that a pause of the test machine cannot free the slot first.
        var first = Task.Run(() => Assert.Throws<AudioFormatException>(() => decoder.Decode(s_flac)));
        var stopwatch = Stopwatch.StartNew();
        while (decoder.Ffmpeg.Running == 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, decoder.Ffmpeg.Running);
        var busy = Assert.Throws<AudioDecoderBusyException>(() => decoder.Decode(s_flac));

        Assert.Equal("All 1 FFmpeg decoding slots stayed busy for 0 s; try again shortly.", busy.Message);
        Assert.Contains("took longer than 8 s", (await first).Message, StringComparison.Ordinal);
        Assert.Equal(0, decoder.Ffmpeg.Running);
    }

    [Fact]
    public void Decode_ExecutableIsNotRunnable_RefusedAsMissing()
    {
        string path = Path.Combine(_temporary.FullName, "..", "not-executable-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, "not a program");
        try
        {
            using var decoder = new AudioDecoder(new AudioDecoderOptions { Ffmpeg = new FfmpegOptions { ExecutablePath = path } });

            var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(s_flac));

            Assert.Equal("ffmpeg", refusal.MissingDecoder);
            Assert.StartsWith("FLAC needs FFmpeg, and '", refusal.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Decode_RealFfmpeg_LeavesNoTemporaryFiles()
    {
        FfmpegTool.SkipUnlessAvailable();
        using var decoder = new AudioDecoder(new AudioDecoderOptions { Ffmpeg = new FfmpegOptions { TemporaryFolder = _temporary.FullName } });

        decoder.Decode(EncodedClips.Get("flac").Encode());
        Assert.Throws<AudioFormatException>(() => decoder.Decode(s_flac));

        Assert.Empty(_temporary.GetFileSystemInfos());
    }

    private AudioDecoder Decoder(string script, TimeSpan? timeout = null, int slots = 2, TimeSpan? queueTimeout = null) => new(new AudioDecoderOptions
    {
        Ffmpeg = new FfmpegOptions
        {
            ExecutablePath = FfmpegTool.Script(script),
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
            MaxConcurrentProcesses = slots,
            QueueTimeout = queueTimeout ?? TimeSpan.FromSeconds(10),
            TemporaryFolder = _temporary.FullName,
        },
    });
}
