"""The two bulk verbs the ORM lacks: ``INSERT ... SELECT`` and a plain ``DELETE``.

Both compile a queryset into one statement, so the database does the set work and no
row ever enters Python. Neither sends signals nor runs ``save()``/``delete()``: callers
use them only on tables whose rules the statement itself keeps.
"""

from collections.abc import Mapping

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models
from django.db.models import Expression, F, Value


def insert_select(
    model: type[models.Model],
    queryset: models.QuerySet,
    columns: Mapping[str, Expression | str],
    *,
    keep_order: bool = False,
) -> int:
    """Insert one ``model`` row per row of ``queryset``; return how many were inserted.

    ``columns`` maps each target field name to an expression over the queryset's model
    (a string is a field path, as in ``F()``). Not-null fields left out get their
    default, as ``Model.objects.create`` would; nullable ones stay NULL. With
    ``keep_order`` the SELECT keeps the queryset's ORDER BY, so that an auto-increment
    key follows that order; otherwise the database may insert in any order.
    """
    values: dict[str, Expression] = {}
    for name, source in columns.items():
        values[name] = F(source) if isinstance(source, str) else source
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in values or field.null:
            continue
        default = field.get_default()
        if default is None:
            raise ValueError(f"insert_select into {model.__name__} needs a value for {field.name}.")
        values[field.name] = Value(default, output_field=field)
    targets = [model._meta.get_field(name) for name in values]
    # Annotations under private aliases: a target name may clash with a source field.
    aliases = {f"_insert_{i}": expression for i, expression in enumerate(values.values())}
    rows = (queryset if keep_order else queryset.order_by()).annotate(**aliases)
    rows = rows.values_list(*aliases)
    try:
        select_sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:
        return 0
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) {}".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in targets),
        select_sql,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def delete_rows(queryset: models.QuerySet) -> int:
    """Delete the rows of ``queryset`` in one statement; return how many were deleted.

    A filter on the table's own columns becomes ``DELETE ... WHERE <filter>``; one that
    joins other tables becomes ``DELETE ... WHERE pk IN (<subquery>)``.
    """
    model = queryset.model
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    query = queryset.order_by().query.clone()
    query.get_initial_alias()
    compiler = query.get_compiler(using=queryset.db)
    single_table = sum(query.alias_refcount[alias] > 0 for alias in query.alias_map) == 1
    try:
        if single_table and not query.distinct and query.low_mark == 0 and query.high_mark is None:
            where, params = compiler.compile(query.where)
            sql = f"DELETE FROM {table} WHERE {where}"
        else:
            ids = queryset.order_by().values("pk")
            select_sql, params = ids.query.get_compiler(using=queryset.db).as_sql()
            sql = f"DELETE FROM {table} WHERE {quote(model._meta.pk.column)} IN ({select_sql})"
    except EmptyResultSet:
        return 0
    except FullResultSet:
        sql, params = f"DELETE FROM {table}", ()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
