using System.Text;

namespace Cry.Audio.Augmentation;

/// <summary>Stable seeds for augmented variants, derived from a clip's identifier and the variant's index.</summary>
/// <remarks>
/// FNV-1a 64 over the UTF-8 bytes of the clip id, a 0xFF separator (never part of UTF-8) and the variant index as
/// four little-endian bytes, finished with the SplitMix64 mix so neighbouring indices give unrelated seeds.
/// Unlike <see cref="string.GetHashCode()"/>, which is randomised per process, the result is the same in every run.
/// </remarks>
public static class AugmentationSeed
{
    private const ulong FnvOffsetBasis = 0xCBF29CE484222325UL;
    private const ulong FnvPrime = 0x100000001B3UL;

    /// <summary>The seed for variant <paramref name="variantIndex"/> of the clip <paramref name="clipId"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="clipId"/> is null.</exception>
    public static ulong Derive(string clipId, int variantIndex)
    {
        ArgumentNullException.ThrowIfNull(clipId);
        ulong hash = FnvOffsetBasis;
        int byteCount = Encoding.UTF8.GetByteCount(clipId);
        Span<byte> bytes = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(clipId, bytes);
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        hash = (hash ^ 0xFF) * FnvPrime;
        var index = (uint)variantIndex;
        for (int i = 0; i < 4; i++)
        {
            hash = (hash ^ ((index >> (8 * i)) & 0xFF)) * FnvPrime;
        }

        return SeededRandom.Mix(hash);
    }
}
