using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// Ogg packets that continue on the next page are read whole. Muxers split a packet across pages when a page's 255
/// segments run out (FFmpeg with long pages) or at about 4 KB (libogg, so Firefox's recorder): routine, not exotic.
/// </summary>
public sealed class OggPagingTests
{
    // A code-3 Opus packet: one silent CELT frame and 294 bytes of padding (RFC 6716 §3.2.5), 300 bytes in all.
    private static readonly byte[] s_padded = [0xFB, 0x41, 255, 40, 0xFF, 0xFE, .. new byte[294]];

    [Fact]
    public void Decode_OpusPacketContinuedOnTheNextPage_EqualsThePacketInOnePage()
    {
        byte[] onePage = new OggBuilder().Page(0, 0x02, OggBuilder.OpusHead(preSkip: 0)).Page(0, 0, OggBuilder.OpusTags())
            .Page(1920, 0x04, OggBuilder.SilencePacket(), s_padded).Build();
        // The padded packet's first 255 bytes end page 3 (segment 255: it goes on), the other 45 open page 4 (flag 0x01).
        byte[] twoPages = new OggBuilder().Page(0, 0x02, OggBuilder.OpusHead(preSkip: 0)).Page(0, 0, OggBuilder.OpusTags())
            .RawPage(960, 0, [3, 255], [.. OggBuilder.SilencePacket(), .. s_padded[..255]])
            .RawPage(1920, 0x05, [45], s_padded[255..]).Build();

        AudioSignal whole = Refusal.ManagedOnly.Decode(onePage);
        AudioSignal split = Refusal.ManagedOnly.Decode(twoPages);

        Assert.Equal(1920, split.Samples.Length);
        Assert.Equal(whole.Samples, split.Samples);
    }

    [Fact]
    public void Decode_OpusPacketOverThreePages_ReadWhole()
    {
        byte[] packet = [0xFB, 0x41, 255, 255, 255, 40, 0xFF, 0xFE, .. new byte[(3 * 254) + 40]]; // 810 bytes.
        byte[] file = new OggBuilder().Page(0, 0x02, OggBuilder.OpusHead(preSkip: 0)).Page(0, 0, OggBuilder.OpusTags())
            .RawPage(-1, 0, [255, 255], packet[..510])
            .RawPage(-1, 0x01, [255], packet[510..765])
            .RawPage(960, 0x05, [(byte)(packet.Length - 765)], packet[765..]).Build();

        Assert.Equal(960, Refusal.ManagedOnly.Decode(file).Samples.Length);
    }

    [Theory]
    // libopus at a constant 256 kbit/s in 60 ms frames with 20 s pages: 255 segments hold about 17 packets, then one is split.
    // Measured against FFmpeg's decoder: 71.9 dB, max |diff| 2.8e-4 (14.0 dB, max 0.85, before the packets were read whole).
    [InlineData(".opus", new[] { "-c:a", "libopus", "-b:a", "256k", "-vbr", "off", "-frame_duration", "60", "-page_duration", "20000000" }, 2e-3, 60.0)]
    // libvorbis at quality 10 (NVorbis's own reader was never affected): measured 131.0 dB, max |diff| 3.9e-7.
    [InlineData(".ogg", new[] { "-c:a", "libvorbis", "-q:a", "10", "-page_duration", "20000000" }, 1e-5, 100.0)]
    public void Decode_FfmpegOggWithPacketsAcrossPages_AgreesWithFfmpeg(string extension, string[] arguments, double maxAbsDifference, double minSnrDb)
    {
        FfmpegTool.SkipUnlessAvailable();
        byte[] file = FfmpegTool.Encode(EncodedClips.SourceWav(48000, seconds: 4), extension, arguments);
        Assert.True(ContinuedPages(file) > 0, "the encoded file should have a packet across pages");
        using var viaFfmpeg = new AudioDecoder(new AudioDecoderOptions { Preference = DecoderPreference.Ffmpeg });

        AudioSignal managed = Refusal.ManagedOnly.Decode(file);
        AudioSignal reference = viaFfmpeg.Decode(file);

        Assert.Equal(reference.Samples.Length, managed.Samples.Length);
        var comparison = SignalComparison.At(reference.Samples, managed.Samples, 0);
        Assert.True(comparison.MaxAbsDifference <= maxAbsDifference && comparison.SnrDb >= minSnrDb, comparison.ToString());
    }

    private static int ContinuedPages(byte[] ogg)
    {
        int continued = 0;
        for (int at = 0; at + 27 <= ogg.Length;)
        {
            int segments = ogg[at + 26];
            continued += ogg[at + 5] & 0x01;
            at += 27 + segments + ogg.AsSpan(at + 27, segments).ToArray().Sum(b => b);
        }

        return continued;
    }
}
