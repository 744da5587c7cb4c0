using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// An Ogg file is read up to its first damaged page (a checksum that does not match, a page cut short): what comes
/// before is decoded, as for a truncated file, and nothing after it reaches a codec. The library's own page reader
/// looped forever resynchronising after such a page; these tests fail by timing out, not by hanging the run.
/// </summary>
public sealed class OggDamageTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Decode_OggOpusWithADamagedPageInTheMiddle_DecodesThePagesBeforeIt()
    {
        byte[] file = OggBuilder.OpusStream(pages: 20, packetsPerPage: 10);
        int[] pages = PageOffsets(file);
        file[pages[2 + 12] + 27 + 20] ^= 0x10; // A byte in the body of the 13th audio page; the 12 before it are whole.

        AudioSignal signal = await DecodeAsync(file);

        Assert.Equal((12 * 10 * 960) - 312, signal.Samples.Length); // The last whole page's granule, less the pre-skip.
    }

    [Fact]
    public async Task Decode_OggOpusPageWithALyingSegmentTable_DecodesThePagesBeforeIt()
    {
        byte[] file = OggBuilder.OpusStream(pages: 20, packetsPerPage: 10);
        int[] pages = PageOffsets(file);
        file[pages[2 + 15] + 27] = 255; // The first lacing value now runs into the next page.

        AudioSignal signal = await DecodeAsync(file);

        Assert.Equal((15 * 10 * 960) - 312, signal.Samples.Length);
    }

    [Fact]
    public async Task Decode_OggVorbisWithADamagedPageInTheMiddle_DecodesTheSamePrefixAsTheWholeFile()
    {
        FfmpegTool.SkipUnlessAvailable(); // Vorbis is encoded by FFmpeg's libvorbis.
        byte[] whole = FfmpegTool.Encode(EncodedClips.SourceWav(44100, seconds: 6), ".ogg", ["-c:a", "libvorbis", "-page_duration", "500000"]);
        int[] pages = PageOffsets(whole);
        Assert.True(pages.Length > 8, $"the encoded file has {pages.Length} pages");
        byte[] damaged = [.. whole];
        int hit = pages[pages.Length / 2];
        damaged[hit + 27 + damaged[hit + 26] + 5] ^= 0x01;

        AudioSignal full = await DecodeAsync(whole);
        AudioSignal cut = await DecodeAsync(damaged);

        Assert.InRange(cut.Samples.Length, full.SampleRate, full.Samples.Length - full.SampleRate);
        Assert.Equal(full.Samples.AsSpan(0, cut.Samples.Length / 2).ToArray(), cut.Samples.AsSpan(0, cut.Samples.Length / 2).ToArray());
    }

    [Fact]
    public void Decode_OggWithADamagedFirstPage_RefusedWithWhy()
    {
        byte[] file = OggBuilder.OpusStream(pages: 20, packetsPerPage: 10);
        file[27 + 1 + 10] ^= 0x01; // Inside OpusHead's pre-skip.

        Refusal.Of(Refusal.ManagedOnly, file, "first page is damaged", "checksum does not match");
    }

    [Fact]
    public void ValidPrefix_WholeFile_IsItsLength_AndStopsAtTheFirstBadPage()
    {
        byte[] file = OggBuilder.OpusStream(pages: 5, packetsPerPage: 3);
        int[] pages = PageOffsets(file);

        Assert.Equal(file.Length, OggPages.ValidPrefix(file));
        Assert.Equal(pages[4], OggPages.ValidPrefix(file.AsSpan(0, pages[5] - 1))); // The fifth page cut by one byte.
        file[pages[3] + 5] ^= 0x04; // A header flag of the fourth page.
        Assert.Equal(pages[3], OggPages.ValidPrefix(file));
    }

    private static async Task<AudioSignal> DecodeAsync(byte[] file) =>
        await Task.Run(() => Refusal.ManagedOnly.Decode(file), TestContext.Current.CancellationToken)
            .WaitAsync(s_limit, TestContext.Current.CancellationToken);

    // The offset of each page, walked as the headers say (the test files are built whole).
    private static int[] PageOffsets(byte[] ogg)
    {
        var offsets = new List<int>();
        for (int at = 0; at + 27 <= ogg.Length;)
        {
            offsets.Add(at);
            int segments = ogg[at + 26];
            at += 27 + segments + ogg.AsSpan(at + 27, segments).ToArray().Sum(b => b);
        }

        return [.. offsets];
    }
}
