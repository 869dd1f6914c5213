def test_wsgi_exposes_the_site_with_its_three_apps():
    import wsgi

    assert wsgi.app.public.name == "wizard.public.app"
    assert "questions.question" in wsgi.app.public.view_functions
    assert "staff.sign_in" in wsgi.app.staff.view_functions
    assert "api.match" in wsgi.app.api.view_functions
    # The apps do not share their routes: each answers its own addresses only.
    assert "staff.sign_in" not in wsgi.app.public.view_functions
    assert "api.match" not in wsgi.app.public.view_functions
