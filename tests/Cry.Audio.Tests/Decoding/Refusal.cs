using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>Decoders and checks shared by the refusal and fuzz tests.</summary>
internal static class Refusal
{
    /// <summary>FFmpeg turned off: nothing leaves the process, every outcome is the managed code's.</summary>
    public static AudioDecoder ManagedOnly { get; } = new(new AudioDecoderOptions { Ffmpeg = new FfmpegOptions { ExecutablePath = string.Empty } });

    /// <summary>Decodes and asserts a refusal whose message is one plain sentence that says what is wrong.</summary>
    public static AudioFormatException Of(AudioDecoder decoder, byte[] file, params string[] fragments)
    {
        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(file));
        AssertReadable(refusal);
        Assert.DoesNotContain("Exception", refusal.Message, StringComparison.Ordinal); // Our own refusals name no exception type.
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, refusal.Message, StringComparison.Ordinal);
        }

        return refusal;
    }

    /// <summary>A message for people: not empty, one line, no stack trace.</summary>
    public static void AssertReadable(AudioFormatException refusal)
    {
        string message = refusal.Message;
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain(" at Cry.", message, StringComparison.Ordinal);
        Assert.DoesNotContain(" at System.", message, StringComparison.Ordinal);
        Assert.InRange(message.Length, 10, 500);
    }
}
