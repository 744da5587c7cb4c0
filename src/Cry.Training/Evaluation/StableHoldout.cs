using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Cry.Training.Evaluation;

/// <summary>A holdout fixed by the group keys alone: a group is held out when a hash of its key falls below the share.</summary>
/// <remarks>
/// score(key) = the high 53 bits of the first 8 bytes of SHA-256(UTF-8(salt + key)), read big-endian, divided by
/// 2⁵³, which lies in [0, 1). A group is held out when score &lt; share. Adding or removing other clips never moves a
/// group across the boundary, so the holdout stays the same as a corpus grows; the cost is that the split is not
/// stratified and the held-out share only approaches the target as the number of groups grows.
/// </remarks>
public sealed class StableHoldout
{
    /// <summary>Creates the holdout rule.</summary>
    public StableHoldout(StableHoldoutOptions? options = null)
    {
        Options = options ?? StableHoldoutOptions.Default;
    }

    /// <summary>The settings.</summary>
    public StableHoldoutOptions Options { get; }

    /// <summary>The group's score in [0, 1) (see remarks).</summary>
    public double Score(string groupKey)
    {
        ArgumentNullException.ThrowIfNull(groupKey);
        byte[] text = Encoding.UTF8.GetBytes(Options.Salt + groupKey);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(text, hash);
        ulong top = BinaryPrimitives.ReadUInt64BigEndian(hash);

        // 53 high bits keep the division exact in a double, so the score is strictly below 1.
        return (top >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Whether the group is held out.</summary>
    public bool IsHeldOut(string groupKey) => Score(groupKey) < Options.Share;

    /// <summary>Splits clips by their group keys; indices refer to positions in <paramref name="groups"/>.</summary>
    public HoldoutSplit Split(IReadOnlyList<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var decisions = new Dictionary<string, bool>(StringComparer.Ordinal);
        var train = new List<int>();
        var heldOut = new List<int>();
        for (int i = 0; i < groups.Count; i++)
        {
            string key = groups[i];
            if (!decisions.TryGetValue(key, out bool held))
            {
                held = IsHeldOut(key);
                decisions.Add(key, held);
            }

            (held ? heldOut : train).Add(i);
        }

        return new HoldoutSplit(train.ToArray(), heldOut.ToArray());
    }
}
