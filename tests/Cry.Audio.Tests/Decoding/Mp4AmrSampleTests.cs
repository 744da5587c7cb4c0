using System.Buffers.Binary;
using System.Text;
using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// AMR in 3GP with several frames per MP4 sample, as Android phones wrote it: every frame is decoded, not only the
/// first of each sample (FFmpeg 5.1's own MP4 path decoded 0.52 s of a 6.64 s corpus recording).
/// </summary>
public sealed class Mp4AmrSampleTests
{
    private static byte[] Box(string type, params byte[][] children)
    {
        int length = 8 + children.Sum(c => c.Length);
        var box = new byte[length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)length);
        Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        int at = 8;
        foreach (byte[] child in children)
        {
            child.CopyTo(box, at);
            at += child.Length;
        }

        return box;
    }

    private static byte[] UInts(params uint[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    // ftyp, mdat with three samples (sizes 5, 3, 4) in two chunks (2 + 1 samples), and a moov whose sound track's
    // sample tables point at them.
    private static (byte[] File, byte[] Samples) ThreeGp()
    {
        byte[] samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        byte[] ftyp = Box("ftyp", Encoding.ASCII.GetBytes("3gp4"), UInts(0), Encoding.ASCII.GetBytes("isom3gp4"));
        byte[] mdat = Box("mdat", samples[..8], [0xEE, 0xEE], samples[8..]); // Two bytes between the chunks.
        uint first = (uint)ftyp.Length + 8;
        uint second = first + 8 + 2;
        byte[] hdlr = Box("hdlr", UInts(0, 0), Encoding.ASCII.GetBytes("soun"), UInts(0, 0, 0), [0]);
        byte[] stsd = Box("stsd", UInts(0, 1), Box("samr", new byte[28]));
        byte[] stsz = Box("stsz", UInts(0, 0, 3, 5, 3, 4));
        byte[] stsc = Box("stsc", UInts(0, 2, 1, 2, 1, 2, 1, 1));
        byte[] stco = Box("stco", UInts(0, 2, first, second));
        byte[] moov = Box("moov", Box("trak", Box("mdia", hdlr, Box("minf", Box("stbl", stsd, stsz, stsc, stco)))));
        return ([.. ftyp, .. mdat, .. moov], samples);
    }

    [Fact]
    public void ExtractAmr_SamplesInChunks_AreConcatenatedBehindTheRawMagic()
    {
        var (file, samples) = ThreeGp();
        Assert.Equal("AMR-NB in a 3GP container", Mp4Boxes.Inspect(file).Describe());
        Assert.Equal([.. "#!AMR\n"u8, .. samples], Mp4Boxes.ExtractAmr(file)!);
    }

    [Fact]
    public void ExtractAmr_ChunkOffsetPastTheEnd_KeepsWhatIsThere_AndNoTablesGiveNull()
    {
        var (file, samples) = ThreeGp();
        byte[] cut = file.ToArray();
        int stco = cut.AsSpan().IndexOf("stco"u8);
        BinaryPrimitives.WriteUInt32BigEndian(cut.AsSpan(stco + 16), 0x7FFF_FFF0); // The second chunk's offset.
        Assert.Equal([.. "#!AMR\n"u8, .. samples[..8]], Mp4Boxes.ExtractAmr(cut)!);

        byte[] noTables = file.ToArray();
        noTables.AsSpan(noTables.AsSpan().IndexOf("stsz"u8), 4).Fill((byte)'x');
        Assert.Null(Mp4Boxes.ExtractAmr(noTables));
    }

    [Fact]
    public void ExtractAmrAndInspect_MutatedFiles_NeverThrowAnythingButAFormatRefusal_NorGrowPastTheInput()
    {
        var (file, _) = ThreeGp();
        var random = new Random(20261203);
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            byte[] mutated = file.ToArray();
            int flips = random.Next(1, 6);
            for (int f = 0; f < flips; f++)
            {
                int at = random.Next(mutated.Length);
                mutated[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => 0xFF,
                    _ => 0x00,
                };
            }

            if (random.Next(4) == 0)
            {
                mutated = mutated[..random.Next(mutated.Length)];
            }

            try
            {
                Mp4Boxes.Inspect(mutated);
            }
            catch (AudioFormatException)
            {
                // A refusal with a message is an allowed outcome.
            }

            byte[]? amr = Mp4Boxes.ExtractAmr(mutated);
            Assert.True(amr is null || amr.Length <= mutated.Length + 6, $"iteration {iteration}: {amr?.Length} bytes from {mutated.Length}");
        }
    }

    [Fact]
    public void CorpusRecordingWithTwelveFramesPerSample_DecodesToItsFullLength_AndEqualsItsWavTwin()
    {
        string raw = Path.Combine(Repository.Root(), "..", "shared", "corpus", "donateacry-raw", "cry", "ed31b187-34af-4ff1-979c-3b8a5905fb7b-1430044853892-1.7-f-04-hu.3gp");
        string twin = Path.Combine(Repository.Root(), "..", "shared", "corpus", "donateacry", "hungry", "ed31b187-34af-4ff1-979c-3b8a5905fb7b-1430044853892-1.7-f-04-hu.wav");
        Assert.SkipUnless(File.Exists(raw) && File.Exists(twin), "../shared/corpus (the raw recordings and their WAV twins) is not here.");
        Assert.SkipUnless(AudioDecoder.Default.Ffmpeg.IsAvailable, "FFmpeg is not installed (test.sh installs it); AMR needs it.");
        var decoded = AudioDecoder.Default.DecodeFile(raw);
        var expected = AudioDecoder.Default.DecodeFile(twin);
        Assert.Equal(8000, decoded.SampleRate);
        Assert.Equal(6.64, decoded.DurationSeconds, 3);
        // The cleaned edition's converter decoded every frame too; its WAV is the same signal rounded to 16 bits.
        Assert.Equal(expected.Samples.Length, decoded.Samples.Length);
        double worst = expected.Samples.Zip(decoded.Samples, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1.0 / 32768, $"worst difference {worst * 32768:0.00} LSB");
    }
}
