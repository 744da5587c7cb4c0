namespace Cry.Training.Torch.Tests;

/// <summary>Builds a toy set whose class is the bright quadrant of each image: 0 top-left, 1 top-right, 2 bottom-left.</summary>
internal static class QuadrantImages
{
    public const int ClassCount = 3;

    public static TrainingData Create(int count, int size = 16, int channels = 1, int seed = 1, Func<int, int>? labelOf = null)
    {
        var random = new Random(seed);
        var inputs = new float[count * channels * size * size];
        var labels = new int[count];
        int half = size / 2;
        for (int n = 0; n < count; n++)
        {
            int label = labelOf?.Invoke(n) ?? n % ClassCount;
            labels[n] = label;
            int rowStart = label == 2 ? half : 0;
            int columnStart = label == 1 ? half : 0;
            for (int c = 0; c < channels; c++)
            {
                for (int y = 0; y < size; y++)
                {
                    for (int x = 0; x < size; x++)
                    {
                        bool bright = y >= rowStart && y < rowStart + half && x >= columnStart && x < columnStart + half;
                        inputs[(((n * channels) + c) * size + y) * size + x] = (float)((bright ? 1.0 : 0.0) + 0.2 * random.NextDouble()) + c;
                    }
                }
            }
        }

        return new TrainingData(inputs, labels, channels, size, size, ClassCount);
    }

    public static double Accuracy(float[,] logits, int[] labels)
    {
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int k = 1; k < logits.GetLength(1); k++)
            {
                if (logits[i, k] > logits[i, best])
                {
                    best = k;
                }
            }

            correct += best == labels[i] ? 1 : 0;
        }

        return (double)correct / labels.Length;
    }

    public static double Accuracy(int[] expected, int[] predicted) =>
        (double)expected.Zip(predicted).Count(p => p.First == p.Second) / expected.Length;
}
