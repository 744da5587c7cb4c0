using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Audio.Tests.Decoding;

/// <summary>The maximum duration holds on every path: a longer recording is refused, never cut; one within it decodes whole.</summary>
public sealed class AudioDecoderDurationTests
{
    public static TheoryData<string, DecoderPreference> FormatsAndPaths()
    {
        var data = new TheoryData<string, DecoderPreference>();
        foreach (ClipFormat format in EncodedClips.All)
        {
            data.Add(format.Name, DecoderPreference.Managed);
            if (format.Managed && format.Container != AudioContainer.Wav)
            {
                data.Add(format.Name, DecoderPreference.Ffmpeg);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FormatsAndPaths))]
    public void Decode_LongerThanTheMaximum_IsRefusedNotTruncated(string name, DecoderPreference preference)
    {
        FfmpegTool.SkipUnlessAvailable();
        using var decoder = new AudioDecoder(new AudioDecoderOptions
        {
            Preference = preference,
            Limits = new WavDecoderOptions { MaxDurationSeconds = 1.0 },
        });

        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(EncodedClips.Get(name).Encode()));

        Assert.Contains("longer than the maximum of 1 s", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FormatsAndPaths))]
    public void Decode_JustWithinTheMaximum_DecodesWhole(string name, DecoderPreference preference)
    {
        FfmpegTool.SkipUnlessAvailable();
        ClipFormat format = EncodedClips.Get(name);
        // The longest decoded length the format may give (padding FFmpeg leaves in), plus 1 ms.
        int sourceLength = EncodedClips.Source(format.SourceRate).Samples.Length;
        double longest = ((double)sourceLength / format.SourceRate) + ((double)format.Expect.LengthSlack / format.Expect.DecodedRate);
        using var decoder = new AudioDecoder(new AudioDecoderOptions
        {
            Preference = preference,
            Limits = new WavDecoderOptions { MaxDurationSeconds = longest + 0.001 },
        });

        AudioSignal decoded = decoder.Decode(format.Encode());

        Assert.InRange(decoded.DurationSeconds, (double)sourceLength / format.SourceRate - 1e-9, longest + 1e-9);
    }
}
