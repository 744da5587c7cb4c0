using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Cry.Audio.Wav;

/// <summary>Turns interleaved WAV sample frames into mono floats by averaging the channels.</summary>
/// <remarks>
/// Integer samples are scaled by their full-scale step: uint8 (x − 128)/128, int16 x/32768, int24 x/8388608,
/// int32 x/2147483648. The channel sum is exact in a 64-bit integer and is divided once in double, so mono 16-bit
/// equals <c>(float)x / 32768f</c> bit for bit. Float samples must be finite; they are averaged in double and
/// clipped to [-1, 1], the range <see cref="AudioSignal"/> promises.
/// The common layouts (16-bit mono and stereo, float mono) take vectorised paths that give the same bits: scaling an
/// integer of at most 17 bits by a power of two is exact in float as in double, and a finite float needs no averaging.
/// </remarks>
internal static class WavSampleConverter
{
    /// <summary>Decodes <paramref name="destination"/>.Length frames from <paramref name="frames"/>.</summary>
    /// <param name="frames">Exactly destination.Length × BlockAlign bytes.</param>
    /// <param name="destination">The mono samples.</param>
    /// <param name="format">The validated layout.</param>
    /// <param name="firstFrame">Index of the first frame in the whole file, for error messages.</param>
    /// <exception cref="AudioFormatException">A float sample is NaN or infinite.</exception>
    public static void Convert(ReadOnlySpan<byte> frames, Span<float> destination, in WavFormat format, long firstFrame)
    {
        int channels = format.Channels;
        if (TryConvertVectorised(frames, destination, format.Encoding, channels))
        {
            return;
        }

        switch (format.Encoding)
        {
            case WavEncoding.UInt8:
                ConvertInteger<UInt8Reader>(frames, destination, channels, 128.0 * channels);
                break;
            case WavEncoding.Int16:
                ConvertInteger<Int16Reader>(frames, destination, channels, 32768.0 * channels);
                break;
            case WavEncoding.Int24:
                ConvertInteger<Int24Reader>(frames, destination, channels, 8388608.0 * channels);
                break;
            case WavEncoding.Int32:
                ConvertInteger<Int32Reader>(frames, destination, channels, 2147483648.0 * channels);
                break;
            case WavEncoding.Float32:
                ConvertFloat<Float32Reader>(frames, destination, channels, firstFrame);
                break;
            default:
                ConvertFloat<Float64Reader>(frames, destination, channels, firstFrame);
                break;
        }
    }

    // Reinterpreting the bytes as samples needs the little-endian order WAV uses.
    private static bool TryConvertVectorised(ReadOnlySpan<byte> frames, Span<float> destination, WavEncoding encoding, int channels)
    {
        if (!BitConverter.IsLittleEndian || !Vector.IsHardwareAccelerated)
        {
            return false;
        }

        switch ((encoding, channels))
        {
            case (WavEncoding.Int16, 1):
                ConvertInt16Mono(MemoryMarshal.Cast<byte, short>(frames), destination);
                return true;
            case (WavEncoding.Int16, 2):
                ConvertInt16Stereo(MemoryMarshal.Cast<byte, int>(frames), destination);
                return true;
            case (WavEncoding.Float32, 1):
                // A non-finite sample falls back to the scalar path, which names it in the error.
                return TryConvertFloat32Mono(MemoryMarshal.Cast<byte, float>(frames), destination);
            default:
                return false;
        }
    }

    private static void ConvertInt16Mono(ReadOnlySpan<short> samples, Span<float> destination)
    {
        // A power of two: x * Scale is x / 32768f exactly.
        const float Scale = 1f / 32768;
        int width = Vector<short>.Count;
        int half = Vector<int>.Count;
        var scale = new Vector<float>(Scale);
        int i = 0;
        for (; i <= samples.Length - width; i += width)
        {
            Vector.Widen(new Vector<short>(samples.Slice(i, width)), out Vector<int> low, out Vector<int> high);
            (Vector.ConvertToSingle(low) * scale).CopyTo(destination.Slice(i, half));
            (Vector.ConvertToSingle(high) * scale).CopyTo(destination.Slice(i + half, half));
        }

        for (; i < samples.Length; i++)
        {
            destination[i] = samples[i] * Scale;
        }
    }

    // Each 32-bit lane holds one frame: left in the low half, right in the high half.
    private static void ConvertInt16Stereo(ReadOnlySpan<int> frames, Span<float> destination)
    {
        // (l + r) / 65536 in double, rounded to float, equals (float)(l + r) * 2^-16 exactly.
        const float Scale = 1f / 65536;
        int width = Vector<int>.Count;
        var scale = new Vector<float>(Scale);
        int i = 0;
        for (; i <= frames.Length - width; i += width)
        {
            var frame = new Vector<int>(frames.Slice(i, width));
            Vector<int> sum = Vector.ShiftRightArithmetic(Vector.ShiftLeft(frame, 16), 16) + Vector.ShiftRightArithmetic(frame, 16);
            (Vector.ConvertToSingle(sum) * scale).CopyTo(destination.Slice(i, width));
        }

        for (; i < frames.Length; i++)
        {
            int frame = frames[i];
            destination[i] = ((short)frame + (frame >> 16)) * Scale;
        }
    }

    private static bool TryConvertFloat32Mono(ReadOnlySpan<float> samples, Span<float> destination)
    {
        int width = Vector<float>.Count;
        var lowest = new Vector<float>(-1f);
        var highest = Vector<float>.One;
        int i = 0;
        for (; i <= samples.Length - width; i += width)
        {
            var value = new Vector<float>(samples.Slice(i, width));

            // x − x is 0 for every finite x and NaN for NaN and the infinities.
            if (!Vector.EqualsAll(value - value, Vector<float>.Zero))
            {
                return false;
            }

            Vector.Min(Vector.Max(value, lowest), highest).CopyTo(destination.Slice(i, width));
        }

        for (; i < samples.Length; i++)
        {
            float value = samples[i];
            if (!float.IsFinite(value))
            {
                return false;
            }

            destination[i] = Math.Clamp(value, -1f, 1f);
        }

        return true;
    }

    // Static abstract readers let the JIT specialise and inline each loop instead of calling a delegate per sample.
    private interface ISampleReader<T>
    {
        static abstract int Width { get; }

        static abstract T Read(ReadOnlySpan<byte> sample);
    }

    private static void ConvertInteger<TReader>(ReadOnlySpan<byte> frames, Span<float> destination, int channels, double divisor)
        where TReader : ISampleReader<long>
    {
        int width = TReader.Width;
        int offset = 0;
        for (int i = 0; i < destination.Length; i++)
        {
            long sum = 0;
            for (int c = 0; c < channels; c++)
            {
                sum += TReader.Read(frames.Slice(offset, width));
                offset += width;
            }

            destination[i] = (float)(sum / divisor);
        }
    }

    private static void ConvertFloat<TReader>(ReadOnlySpan<byte> frames, Span<float> destination, int channels, long firstFrame)
        where TReader : ISampleReader<double>
    {
        int width = TReader.Width;
        int offset = 0;
        for (int i = 0; i < destination.Length; i++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                double value = TReader.Read(frames.Slice(offset, width));
                offset += width;
                if (!double.IsFinite(value))
                {
                    string what = double.IsNaN(value) ? "NaN" : "infinite";
                    throw new AudioFormatException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"Sample {firstFrame + i} (channel {c + 1} of {channels}) is {what}; float WAV samples must be finite."));
                }

                // Dividing each value first keeps the sum of huge 64-bit values finite.
                sum += value / channels;
            }

            destination[i] = (float)Math.Clamp(sum, -1.0, 1.0);
        }
    }

    private readonly struct UInt8Reader : ISampleReader<long>
    {
        public static int Width => 1;

        public static long Read(ReadOnlySpan<byte> sample) => sample[0] - 128;
    }

    private readonly struct Int16Reader : ISampleReader<long>
    {
        public static int Width => 2;

        public static long Read(ReadOnlySpan<byte> sample) => BinaryPrimitives.ReadInt16LittleEndian(sample);
    }

    private readonly struct Int24Reader : ISampleReader<long>
    {
        public static int Width => 3;

        public static long Read(ReadOnlySpan<byte> sample) => sample[0] | (sample[1] << 8) | ((sbyte)sample[2] << 16);
    }

    private readonly struct Int32Reader : ISampleReader<long>
    {
        public static int Width => 4;

        public static long Read(ReadOnlySpan<byte> sample) => BinaryPrimitives.ReadInt32LittleEndian(sample);
    }

    private readonly struct Float32Reader : ISampleReader<double>
    {
        public static int Width => 4;

        public static double Read(ReadOnlySpan<byte> sample) => BinaryPrimitives.ReadSingleLittleEndian(sample);
    }

    private readonly struct Float64Reader : ISampleReader<double>
    {
        public static int Width => 8;

        public static double Read(ReadOnlySpan<byte> sample) => BinaryPrimitives.ReadDoubleLittleEndian(sample);
    }
}
