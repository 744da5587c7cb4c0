using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Cry.Audio.Wav;

namespace Cry.Audio.Tests.Wav;

/// <summary>Property test: any mutation of a valid WAV decodes to a bounded finite signal or is refused with an AudioFormatException.</summary>
public sealed class WavDecoderFuzzTests
{
    private const int Cases = 2000;

    private static readonly byte[][] s_seeds =
    [
        WavBuilder.Valid(SampleKind.Int16, 1, 40),
        WavBuilder.Valid(SampleKind.UInt8, 2, 31, sampleRate: 8000),
        WavBuilder.Valid(SampleKind.Int24, 6, 9),
        WavBuilder.Valid(SampleKind.Float64, 1, 12),
        new WavBuilder()
            .Chunk("LIST", new byte[9])
            .FmtExtensible(3, 2, 48000, 32, 32)
            .Chunk("fact", [20, 0, 0, 0])
            .Data(SampleBytes.Random(SampleKind.Float32, 40, 6, out _))
            .Build(),
        new WavBuilder()
            .FmtExtensible(1, 2, 44100, 32, 24)
            .Data(SampleBytes.Random(SampleKind.Int32, 30, 7, out _), size: 0xFFFFFFFF)
            .Build(),
    ];

    private static readonly string[] s_chunkIds = ["fmt ", "data", "LIST", "junk", "fact", "RIFF", "\0\0\0\0"];

    private static readonly uint[] s_sizes = [0, 1, 2, 3, 15, 16, 17, 18, 39, 40, 41, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];

    [Fact]
    public void Decode_MutatedValidWav_ReturnsBoundedFiniteSignalOrRefuses()
    {
        Arbitrary<FuzzCase> cases = Arb.From(
            from seed in Gen.Choose(0, s_seeds.Length - 1)
            from mutations in Gen.ArrayOf(MutationGen()).Resize(6)
            select new FuzzCase(seed, mutations));

        Config config = Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true).WithReplay(0x5EED_CA11UL, 0x9E37_79B9_7F4A_7C15UL);
        Check.One(config, Prop.ForAll(cases, CheckOne));
    }

    private static Gen<Mutation> MutationGen()
    {
        Gen<int> position = Gen.Choose(0, 400);
        Gen<uint> size = Gen.OneOf(Gen.Elements(s_sizes), Gen.Choose(0, 70_000).Select(v => (uint)v));
        return Gen.OneOf(
            from p in position from bit in Gen.Choose(0, 7) select new Mutation(MutationKind.FlipBit, p, (uint)bit),
            from p in position select new Mutation(MutationKind.Truncate, p, 0),
            from p in position from id in Gen.Choose(0, s_chunkIds.Length - 1) from s in size
            select new Mutation(MutationKind.InsertChunkHeader, p, s, id),
            // Offsets 4..44 hold the RIFF, fmt and data size fields of the plain seeds.
            from p in Gen.OneOf(Gen.Elements(4, 16, 40, 42, 24, 36, 76), position) from s in size
            select new Mutation(MutationKind.SetUInt32, p, s),
            from p in Gen.OneOf(Gen.Elements(20, 22, 32, 34), position) from v in Gen.Choose(0, 65535)
            select new Mutation(MutationKind.SetUInt16, p, (uint)v));
    }

    private static void CheckOne(FuzzCase fuzz)
    {
        byte[] wav = fuzz.Apply(s_seeds[fuzz.Seed]);
        Outcome fromSpan = Outcome.Of(() => WavDecoder.Default.Decode(wav));
        Outcome fromStream = Outcome.Of(() => WavDecoder.Default.Decode(new TrickleStream(wav, 3)));
        Outcome fromSeekable = Outcome.Of(() => WavDecoder.Default.Decode(new MemoryStream(wav)));
        float[] buffer = [];
        int count = 0;
        Outcome fromBuffer = Outcome.Of(() =>
        {
            count = WavDecoder.Default.Decode(wav, ref buffer, out int rate);
            return new AudioSignal(buffer[..count], rate);
        });

        foreach (Outcome outcome in (Outcome[])[fromSpan, fromStream, fromSeekable, fromBuffer])
        {
            if (outcome.Unexpected is not null)
            {
                throw new InvalidOperationException($"{fuzz} threw {outcome.Unexpected.GetType().Name}", outcome.Unexpected);
            }

            if (outcome.Signal is { } signal)
            {
                Assert.InRange(signal.Samples.Length, 1, wav.Length);
                Assert.InRange(signal.SampleRate, 1000, 384_000);
                Assert.All(signal.Samples, s => Assert.InRange(s, -1f, 1f));
            }
        }

        Assert.Equal(fromSpan.Describe(), fromStream.Describe());
        Assert.Equal(fromSpan.Describe(), fromSeekable.Describe());
        Assert.Equal(fromSpan.Describe(), fromBuffer.Describe());
    }

    public enum MutationKind
    {
        FlipBit,
        Truncate,
        InsertChunkHeader,
        SetUInt32,
        SetUInt16,
    }

    public sealed record Mutation(MutationKind Kind, int Position, uint Value, int ChunkId = 0)
    {
        public byte[] Apply(byte[] wav)
        {
            int at = wav.Length == 0 ? 0 : Position % (wav.Length + 1);
            switch (Kind)
            {
                case MutationKind.FlipBit when at < wav.Length:
                    byte[] flipped = [.. wav];
                    flipped[at] ^= (byte)(1 << (int)Value);
                    return flipped;
                case MutationKind.Truncate:
                    return wav[..at];
                case MutationKind.InsertChunkHeader:
                    var header = new byte[8];
                    Encoding.ASCII.GetBytes(s_chunkIds[ChunkId]).CopyTo(header, 0);
                    BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Value);
                    return [.. wav[..at], .. header, .. wav[at..]];
                case MutationKind.SetUInt32 when at + 4 <= wav.Length:
                    byte[] set32 = [.. wav];
                    BinaryPrimitives.WriteUInt32LittleEndian(set32.AsSpan(at), Value);
                    return set32;
                case MutationKind.SetUInt16 when at + 2 <= wav.Length:
                    byte[] set16 = [.. wav];
                    BinaryPrimitives.WriteUInt16LittleEndian(set16.AsSpan(at), (ushort)Value);
                    return set16;
                default:
                    return wav;
            }
        }
    }

    public sealed record FuzzCase(int Seed, Mutation[] Mutations)
    {
        public byte[] Apply(byte[] wav) => Mutations.Aggregate(wav, (bytes, m) => m.Apply(bytes));

        public override string ToString() => $"seed {Seed}: {string.Join(", ", Mutations.Select(m => m.ToString()))}";
    }

    private sealed record Outcome(AudioSignal? Signal, AudioFormatException? Refusal, Exception? Unexpected)
    {
        public static Outcome Of(Func<AudioSignal> decode)
        {
            try
            {
                AudioSignal signal = decode();
                return new Outcome(signal, null, null);
            }
            catch (AudioFormatException refusal)
            {
                return new Outcome(null, refusal, null);
            }
#pragma warning disable CA1031 // Any other exception is the failure this property looks for.
            catch (Exception other)
#pragma warning restore CA1031
            {
                return new Outcome(null, null, other);
            }
        }

        // Stream paths stop at the first frame past the duration limit, so that message alone may differ.
        public string Describe() => Signal is { } s
            ? $"{s.SampleRate} Hz: {string.Join(' ', s.Samples)}"
            : Refusal!.Message.Contains("longer than the maximum", StringComparison.Ordinal) ? "too long" : Refusal.Message;
    }
}
