/** The typed query layer over the lake (engine, builder, `sql` template, pruning). */
export {}
