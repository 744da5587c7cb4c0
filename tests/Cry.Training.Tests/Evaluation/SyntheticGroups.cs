using Cry.Audio.Augmentation;

namespace Cry.Training.Tests.Evaluation;

/// <summary>A synthetic labelled, grouped dataset for split tests.</summary>
internal sealed record SyntheticGroups(int[] Labels, string[] Groups, int ClassCount)
{
    /// <summary>Groups of 1..<paramref name="maxGroupSize"/> clips; a share of groups also holds clips of a second class.</summary>
    public static SyntheticGroups Create(ulong seed, int classCount, int minGroupsPerClass, int maxGroupsPerClass, int maxGroupSize, double mixedShare = 0)
    {
        var random = new SeededRandom(seed);
        var labels = new List<int>();
        var groups = new List<string>();
        int groupNumber = 0;
        for (int c = 0; c < classCount; c++)
        {
            int groupCount = random.NextInt32Inclusive(minGroupsPerClass, maxGroupsPerClass);
            for (int g = 0; g < groupCount; g++)
            {
                string key = "g" + groupNumber++;
                int size = random.NextInt32Inclusive(1, maxGroupSize);
                for (int i = 0; i < size; i++)
                {
                    labels.Add(c);
                    groups.Add(key);
                }

                if (random.NextDouble() < mixedShare)
                {
                    labels.Add(random.NextInt32Inclusive(0, classCount - 1));
                    groups.Add(key);
                }
            }
        }

        return new SyntheticGroups(labels.ToArray(), groups.ToArray(), classCount);
    }
}
