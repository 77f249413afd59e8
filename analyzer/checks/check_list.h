/* check_list.h: every diagnostic check, once.  ORDER CHECKS (rules/checks/<id>.json, docs/rules/<id>.md) */
CA_CHECK(gil_blocking_io_held, "gil-blocking-io-held")
CA_CHECK(gil_api_without_gil, "gil-api-without-gil")
CA_CHECK(gil_unbalanced_release, "gil-unbalanced-release")
CA_CHECK(gil_nested_release, "gil-nested-release")
CA_CHECK(gil_cpu_loop_holds_gil, "gil-cpu-loop-holds-gil")
CA_CHECK(mt_thread_unsafe_call, "mt-thread-unsafe-call")
CA_CHECK(ft_borrowed_ref_in_loop, "ft-borrowed-ref-in-loop")
CA_CHECK(ft_object_malloc_buffer, "ft-object-malloc-buffer")
