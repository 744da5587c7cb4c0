// Torch's generator and thread count are process-wide: one collection for the assembly keeps the tests from interleaving.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
