using Cry.Audio.Augmentation;

namespace Cry.Training.Evaluation;

/// <summary>Seeded orderings of group indices shared by the splitters.</summary>
internal static class GroupOrder
{
    /// <summary>Fisher–Yates shuffle driven by <see cref="SeededRandom"/>, whose sequence is fixed across .NET versions.</summary>
    public static void Shuffle(Span<int> items, ulong seed)
    {
        var random = new SeededRandom(seed);
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.NextInt32Inclusive(0, i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
