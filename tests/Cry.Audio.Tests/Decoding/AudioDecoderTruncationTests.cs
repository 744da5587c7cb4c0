using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// Every container cut inside its header or in mid-stream, or with bytes overwritten, decodes what is there (never more
/// than the whole file gives) or is refused with a readable message; no other exception escapes. Formats read by FFmpeg
/// get fewer cuts (a process each); the managed parsers are cut everywhere, fuzzed further by the fuzz tests.
/// </summary>
public sealed class AudioDecoderTruncationTests
{
    public static TheoryData<string> Formats() => EncodedClips.Names();

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_CutInTheHeaderOrMidStream_DecodesWhatIsThereOrRefuses(string name)
    {
        FfmpegTool.SkipUnlessAvailable();
        ClipFormat format = EncodedClips.Get(name);
        byte[] file = format.Encode();
        int[] cuts = format.Managed ? [4, 12, 40, 100, file.Length / 3, file.Length / 2, file.Length - 7] : [12, 100, file.Length / 2];

        foreach (int cut in cuts)
        {
            Check(format, file[..cut], $"cut at {cut} of {file.Length}");
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_BytesOverwrittenInTheHeaderOrMidStream_DecodesOrRefuses(string name)
    {
        FfmpegTool.SkipUnlessAvailable();
        ClipFormat format = EncodedClips.Get(name);
        byte[] file = format.Encode();
        var random = new Random(name.Length);
        int[] places = format.Managed ? [8, 30, 60, file.Length / 3, file.Length / 2] : [30, file.Length / 2];

        foreach (int at in places)
        {
            byte[] corrupt = [.. file];
            random.NextBytes(corrupt.AsSpan(at, Math.Min(48, file.Length - at)));
            Check(format, corrupt, $"48 random bytes at {at} of {file.Length}");
        }
    }

    private static void Check(ClipFormat format, byte[] damaged, string what)
    {
        int rate = format.Expect.DecodedRate;
        int wholeLength = Cry.Audio.Dsp.Resampler.OutputLength(EncodedClips.Source(format.SourceRate).Samples.Length, format.SourceRate, rate) + format.Expect.LengthSlack;
        // Managed formats without FFmpeg (only the managed code answers), the others with it.
        AudioDecoder decoder = format.Managed ? Refusal.ManagedOnly : AudioDecoder.Default;
        AudioSignal? signal = null;
        try
        {
            signal = decoder.Decode(damaged);
        }
        catch (AudioFormatException refusal)
        {
            Refusal.AssertReadable(refusal);
        }

        if (signal is not null)
        {
            Assert.True(signal.SampleRate == rate, $"{format.Name}, {what}: {signal.SampleRate} Hz, not {rate}");
            // A damaged frame may decode to a longer one, never by more than a few frames' worth.
            Assert.True(signal.Samples.Length <= wholeLength + 8192, $"{format.Name}, {what}: {signal.Samples.Length} samples of {wholeLength}");
            Assert.All(signal.Samples, s => Assert.InRange(s, -1f, 1f));
        }
    }
}
