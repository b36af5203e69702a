namespace Solvers.Sparse;

/// <summary>
/// Colorings of the sparsity graph of a square matrix, for multicolor Gauss-Seidel and SOR: rows i and j are
/// adjacent when a_ij or a_ji is stored and i != j. Rows of one color share no stored entry, so they can be
/// relaxed at the same time, and a sweep color by color equals Gauss-Seidel in the permuted order.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from several threads at once.</remarks>
public static class GraphColoring
{
    /// <summary>
    /// First-fit greedy coloring in natural row order: each row takes the smallest color that none of its
    /// already colored neighbours has. On the 5-point and 7-point stencils in natural (lexicographic) order this
    /// gives exactly two colors, the red-black ordering; in general at most (maximum degree + 1) colors.
    /// </summary>
    /// <param name="a">A square matrix; only its sparsity pattern is read (stored zeros count as edges).</param>
    /// <exception cref="ArgumentException">The matrix is not square.</exception>
    public static Coloring Greedy(CsrMatrix a)
    {
        var (start, adj) = Adjacency(a);
        int n = a.Rows;
        var colorOf = new int[n];
        // mark[c] == i: color c is taken by a neighbour of row i. One stamp array, no clearing per row.
        var mark = new int[n + 1];
        Array.Fill(mark, -1);
        for (int i = 0; i < n; i++)
        {
            for (int k = start[i]; k < start[i + 1]; k++)
            {
                int j = adj[k];
                if (j < i) mark[colorOf[j]] = i;
            }
            int c = 0;
            while (mark[c] == i) c++;
            colorOf[i] = c;
        }
        return new Coloring(colorOf);
    }

    /// <summary>
    /// The red-black (two-color) ordering, found by breadth-first search: each connected component starts with
    /// its lowest-numbered row red (color 0) and alternates by graph distance. Fails when the graph has an odd
    /// cycle, i.e. the matrix admits no two-coloring. A graph without edges gets one color; an empty matrix none.
    /// </summary>
    /// <param name="a">A square matrix; only its sparsity pattern is read.</param>
    /// <exception cref="ArgumentException">The matrix is not square, or its graph is not bipartite (the message names the offending rows).</exception>
    public static Coloring RedBlack(CsrMatrix a)
    {
        var (start, adj) = Adjacency(a);
        int n = a.Rows;
        var colorOf = new int[n];
        Array.Fill(colorOf, -1);
        var queue = new int[n];
        for (int root = 0; root < n; root++)
        {
            if (colorOf[root] >= 0) continue;
            colorOf[root] = 0;
            int head = 0, tail = 0;
            queue[tail++] = root;
            while (head < tail)
            {
                int i = queue[head++];
                for (int k = start[i]; k < start[i + 1]; k++)
                {
                    int j = adj[k];
                    if (colorOf[j] < 0)
                    {
                        colorOf[j] = 1 - colorOf[i];
                        queue[tail++] = j;
                    }
                    else if (colorOf[j] == colorOf[i])
                    {
                        int row = Math.Max(i, j);
                        throw new ArgumentException(
                            $"The matrix graph is not bipartite, so no red-black ordering exists: row {row} is joined to row {Math.Min(i, j)}, " +
                            $"and both are reached from row {root} by paths of the same parity (an odd cycle). Use GraphColoring.Greedy.",
                            nameof(a));
                    }
                }
            }
        }
        return new Coloring(colorOf);
    }

    /// <summary>The symmetric adjacency of the off-diagonal pattern, as CSR-like arrays (an edge stored both ways may appear twice).</summary>
    private static (int[] Start, int[] Adj) Adjacency(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare)
            throw new ArgumentException($"A coloring needs a square matrix; A is {a.Rows}x{a.Columns}.", nameof(a));
        int n = a.Rows;
        int[] rp = a.RowPointerArray, ci = a.ColumnIndexArray;
        var start = new int[n + 1];
        for (int i = 0; i < n; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                if (j == i) continue;
                start[i + 1]++;
                start[j + 1]++;
            }
        for (int i = 0; i < n; i++) start[i + 1] += start[i];
        var adj = new int[start[n]];
        var next = start[..n];
        for (int i = 0; i < n; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                if (j == i) continue;
                adj[next[i]++] = j;
                adj[next[j]++] = i;
            }
        return (start, adj);
    }
}

/// <summary>
/// A coloring of the rows of a square matrix: the color of each row, and the rows grouped by color (ascending
/// within each color), which is the order a multicolor sweep visits them in.
/// </summary>
/// <remarks>Treat the arrays as read-only: the grouping is computed once, when the coloring is built. Thread safety: immutable after construction (treat its arrays as read-only); safe to share between threads.</remarks>
public sealed class Coloring
{
    /// <summary>
    /// Builds a coloring from the color of each row. The number of colors is the largest color plus one; a color
    /// in between that no row has is allowed and stays empty.
    /// </summary>
    /// <param name="colorOf">The color of each row, from 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A color is negative.</exception>
    public Coloring(ReadOnlySpan<int> colorOf)
    {
        int n = colorOf.Length, colors = 0;
        for (int i = 0; i < n; i++)
        {
            if (colorOf[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(colorOf), colorOf[i], $"Row {i} has a negative color.");
            colors = Math.Max(colors, colorOf[i] + 1);
        }
        ColorOf = colorOf.ToArray();
        Colors = colors;
        ColorStart = new int[colors + 1];
        foreach (int c in ColorOf) ColorStart[c + 1]++;
        for (int c = 0; c < colors; c++) ColorStart[c + 1] += ColorStart[c];
        Rows = new int[n];
        var next = ColorStart[..colors];
        for (int i = 0; i < n; i++) Rows[next[ColorOf[i]]++] = i;
    }

    /// <summary>Number of colors.</summary>
    public int Colors { get; }

    /// <summary>Number of rows colored.</summary>
    public int RowCount => ColorOf.Length;

    /// <summary>The color of each row.</summary>
    public int[] ColorOf { get; }

    /// <summary>The rows grouped by color: color c occupies [ColorStart[c], ColorStart[c + 1]), ascending.</summary>
    public int[] Rows { get; }

    /// <summary>Where each color starts in <see cref="Rows"/>; length <see cref="Colors"/> + 1.</summary>
    public int[] ColorStart { get; }

    /// <summary>Number of rows of color <paramref name="color"/>.</summary>
    public int CountOf(int color) => ColorStart[color + 1] - ColorStart[color];

    /// <summary>
    /// True when the coloring fits the matrix: one color per row, and no stored off-diagonal entry joins two
    /// rows of the same color (so the rows of a color can be relaxed in parallel without a race).
    /// </summary>
    /// <param name="a">The matrix.</param>
    public bool IsValidFor(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare || a.Rows != RowCount) return false;
        int[] rp = a.RowPointerArray, ci = a.ColumnIndexArray;
        for (int i = 0; i < a.Rows; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                if (j != i && ColorOf[j] == ColorOf[i]) return false;
            }
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Coloring of {RowCount} rows with {Colors} color{(Colors == 1 ? "" : "s")}";
}
