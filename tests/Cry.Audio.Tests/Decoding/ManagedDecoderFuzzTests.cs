using System.Buffers.Binary;
using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// A bounded fuzz of every hand-written or library-backed managed parser (CAF chunk walk and IMA4, the EBML walk, Ogg
/// paging, Opus, Vorbis, MP3): seeded mutations of real encoded files decode to a bounded, finite signal or are refused
/// with an <see cref="AudioFormatException"/>, never anything else. FFmpeg is turned off, so every byte reaches the
/// managed code (a mutation that makes the file look like another format is refused as needing FFmpeg).
/// </summary>
public sealed class ManagedDecoderFuzzTests
{
    private const int CasesPerFormat = 150;

    // Far above any real decode of a 2 s clip (milliseconds); a case past it is a hang and fails by name, not a stuck run.
    private static readonly TimeSpan s_caseLimit = TimeSpan.FromSeconds(20);

    private static readonly AudioDecoderOptions s_managedOnly = new() { Ffmpeg = new FfmpegOptions { ExecutablePath = string.Empty } };

    public static TheoryData<string> ManagedFormats()
    {
        var data = new TheoryData<string>();
        foreach (ClipFormat format in EncodedClips.All.Where(f => f.Managed))
        {
            data.Add(format.Name);
        }

        return data;
    }

    public static TheoryData<string> ManagedOggFormats()
    {
        var data = new TheoryData<string>();
        foreach (ClipFormat format in EncodedClips.All.Where(f => f.Managed && f.Container == AudioContainer.Ogg))
        {
            data.Add(format.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ManagedFormats))]
    public Task Decode_MutatedFile_IsBoundedAndFiniteOrRefused(string name) => FuzzAsync(name, restoreOggChecksums: false);

    /// <summary>
    /// A mutated Ogg page fails its checksum and is cut off before any codec sees it; with the checksums recomputed
    /// the mutations reach the Opus and Vorbis packet decoders themselves.
    /// </summary>
    [Theory]
    [MemberData(nameof(ManagedOggFormats))]
    public Task Decode_MutatedOggWithValidChecksums_IsBoundedAndFiniteOrRefused(string name) => FuzzAsync(name, restoreOggChecksums: true);

    private static async Task FuzzAsync(string name, bool restoreOggChecksums)
    {
        FfmpegTool.SkipUnlessAvailable(); // The seed files are encoded by FFmpeg.
        byte[] original = EncodedClips.Get(name).Encode();
        using var decoder = new AudioDecoder(s_managedOnly);
        var random = new Random(name.Aggregate(restoreOggChecksums ? 23 : 17, (h, c) => (h * 31) + c));
        double maxSeconds = s_managedOnly.Limits.MaxDurationSeconds;
        int decoded = 0;

        for (int i = 0; i < CasesPerFormat; i++)
        {
            byte[] mutated = Mutate(original, random);
            if (restoreOggChecksums)
            {
                RestoreOggChecksums(mutated);
            }

            try
            {
                Task<AudioSignal> decoding = Task.Run(() => decoder.Decode(mutated), TestContext.Current.CancellationToken);
                AudioSignal signal;
                try
                {
                    signal = await decoding.WaitAsync(s_caseLimit, TestContext.Current.CancellationToken);
                }
                catch (TimeoutException)
                {
                    string kept = Path.Combine(Path.GetTempPath(), $"cry-fuzz-{name}-{i}.bin");
                    File.WriteAllBytes(kept, mutated);
                    Assert.Fail($"{name} case {i}: no answer within {s_caseLimit.TotalSeconds} s (a hang); the input is kept at {kept}");
                    throw;
                }

                Assert.True(signal.Samples.Length <= (maxSeconds * signal.SampleRate) + signal.SampleRate, $"{name} case {i}: {signal.Samples.Length} samples at {signal.SampleRate} Hz");
                Assert.True(signal.Samples.AsSpan().IndexOfAnyExceptInRange(-1e6f, 1e6f) < 0, $"{name} case {i}: a sample is not finite or absurd");
                decoded++;
            }
            catch (AudioFormatException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                Assert.DoesNotContain("   at ", ex.Message, StringComparison.Ordinal);
            }
        }

        // Measured: 6 to 114 of 150 decode per format; none would mean every mutation is refused at the door, untested.
        Assert.True(decoded > 0, $"{name}: every mutated file was refused, so no mutation reached the decoder");
    }

    // Walks the pages from the start as their headers say and writes each one's checksum, as far as the pages fit.
    private static void RestoreOggChecksums(byte[] file)
    {
        int at = 0;
        while (at + 27 <= file.Length && file.AsSpan(at).StartsWith("OggS"u8))
        {
            int segments = file[at + 26];
            if (at + 27 + segments > file.Length)
            {
                return;
            }

            int length = 27 + segments;
            for (int k = 0; k < segments; k++)
            {
                length += file[at + 27 + k];
            }

            if (at + length > file.Length)
            {
                return;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 22), 0);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 22), OggBuilder.Crc(file.AsSpan(at, length)));
            at += length;
        }
    }

    // One to four of: flip a bit, overwrite a run with random bytes or with 0xFF/0x00, cut the file, duplicate a run.
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            // Half the edits land in the first 256 bytes, where the headers are.
            int at = random.Next(2) == 0 ? random.Next(Math.Min(256, bytes.Count)) : random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    for (int k = at; k < Math.Min(bytes.Count, at + random.Next(1, 9)); k++)
                    {
                        bytes[k] = (byte)random.Next(256);
                    }

                    break;
                case 2:
                    byte fill = random.Next(2) == 0 ? (byte)0xFF : (byte)0x00;
                    for (int k = at; k < Math.Min(bytes.Count, at + random.Next(1, 9)); k++)
                    {
                        bytes[k] = fill;
                    }

                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    int length = Math.Min(bytes.Count - at, random.Next(1, 64));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
            }
        }

        return [.. bytes];
    }
}
