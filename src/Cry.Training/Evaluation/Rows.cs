namespace Cry.Training.Evaluation;

/// <summary>Checks and conversions for row-major per-clip score matrices.</summary>
internal static class Rows
{
    public static int Count(int length, int classCount, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (length % classCount != 0)
        {
            throw new ArgumentException($"{length} values are not a whole number of rows of {classCount} classes.", name);
        }

        return length / classCount;
    }

    public static (float[] Flat, int ClassCount) Flatten(float[][] rows, string name)
    {
        ArgumentNullException.ThrowIfNull(rows, name);
        if (rows.Length == 0)
        {
            throw new ArgumentException("There are no rows.", name);
        }

        int classCount = rows[0]?.Length ?? 0;
        if (classCount == 0)
        {
            throw new ArgumentException("Rows must not be empty.", name);
        }

        var flat = new float[rows.Length * classCount];
        for (int i = 0; i < rows.Length; i++)
        {
            float[] row = rows[i];
            if (row is null || row.Length != classCount)
            {
                throw new ArgumentException($"Row {i} has {row?.Length ?? 0} values; expected {classCount}.", name);
            }

            row.CopyTo(flat, i * classCount);
        }

        return (flat, classCount);
    }
}
